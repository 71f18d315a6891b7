//! CSV dialects in, price series out (streaming); export back to CSV and JSON.
