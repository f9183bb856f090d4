//! Tagged errors. Every failure that can cross a binding carries a stable `kind` so the
//! TypeScript layer can throw the matching error class, plus the file/variable/offset it
//! concerns so a user can tell *which* of ten thousand inputs was bad.

use crate::json::Json;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A caller passed something that cannot be right (bad axis, wrong column length, ...).
    InvalidArgument,
    /// The input is valid but uses a feature vzarr does not handle.
    UnsupportedFeature,
    /// The input contradicts its own format (bad magic, truncated, out-of-range address, cycle).
    CorruptFile,
    /// A named thing (variable, group, key, snapshot) does not exist.
    NotFound,
    /// Arrays cannot be combined (dtype, codecs, chunk shape, fill value, encoding differ).
    IncompatibleArrays,
    /// Reading or writing bytes failed.
    Io,
    /// A referenced file no longer matches what the manifest recorded.
    SourceChanged,
    /// A concurrent writer won a race (Icechunk commits).
    Conflict,
    /// A count or size read from input exceeds a safety limit.
    LimitExceeded,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "InvalidArgument",
            ErrorKind::UnsupportedFeature => "UnsupportedFeature",
            ErrorKind::CorruptFile => "CorruptFile",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::IncompatibleArrays => "IncompatibleArrays",
            ErrorKind::Io => "Io",
            ErrorKind::SourceChanged => "SourceChanged",
            ErrorKind::Conflict => "Conflict",
            ErrorKind::LimitExceeded => "LimitExceeded",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    pub kind: ErrorKind,
    pub message: String,
    pub file: Option<String>,
    pub variable: Option<String>,
    pub offset: Option<u64>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            file: None,
            variable: None,
            offset: None,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    pub fn corrupt(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::CorruptFile, message)
    }

    pub fn unsupported(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::UnsupportedFeature, message)
    }

    pub fn incompatible(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::IncompatibleArrays, message)
    }

    pub fn limit(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::LimitExceeded, message)
    }

    pub fn not_found(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::NotFound, message)
    }

    pub fn with_file(mut self, file: impl Into<String>) -> Error {
        if self.file.is_none() {
            self.file = Some(file.into());
        }
        self
    }

    pub fn with_variable(mut self, variable: impl Into<String>) -> Error {
        if self.variable.is_none() {
            self.variable = Some(variable.into());
        }
        self
    }

    pub fn at_offset(mut self, offset: u64) -> Error {
        if self.offset.is_none() {
            self.offset = Some(offset);
        }
        self
    }

    /// The wire form both bindings hand to TypeScript.
    pub fn to_json(&self) -> String {
        let mut fields = vec![
            ("kind".to_string(), Json::from(self.kind.as_str())),
            ("message".to_string(), Json::from(self.message.as_str())),
        ];
        if let Some(f) = &self.file {
            fields.push(("file".to_string(), Json::from(f.as_str())));
        }
        if let Some(v) = &self.variable {
            fields.push(("variable".to_string(), Json::from(v.as_str())));
        }
        if let Some(o) = self.offset {
            fields.push(("offset".to_string(), Json::Number(o as f64)));
        }
        Json::Object(fields).to_string()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.as_str(), self.message)?;
        if let Some(file) = &self.file {
            write!(f, " (file {}", file)?;
            if let Some(v) = &self.variable {
                write!(f, ", variable {}", v)?;
            }
            if let Some(o) = self.offset {
                write!(f, ", offset {}", o)?;
            }
            write!(f, ")")?;
        } else if let Some(v) = &self.variable {
            write!(f, " (variable {})", v)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}
