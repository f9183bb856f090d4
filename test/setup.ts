// Tests import internal modules directly; register the Node platform as the package entry does.
import "../ts/src/platform/node.js";
