import { describe, expect, it } from "vitest";
import { Limiter } from "../ts/src/dataset/pool/limiter.js";

describe("Limiter", () => {
  it("runs at most its size at once, the rest in order, and frees a slot when a task fails", async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      order.push(i);
      if (i === 1) throw new Error("task 1 fails");
      return i;
    };
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => limiter.run(task(i))));
    expect(peak).toBe(2);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled"]);
    expect(order.slice(0, 2).sort()).toEqual([0, 1]);
    expect(await limiter.run(async () => "after")).toBe("after");
  });
});
