//! Where the table goes: standard output, or a file that appears only once it is complete.

use anyhow::Context;
use std::io::{self, Write};
use std::path::Path;

/// Runs `write` on standard output, or on a temporary file next to `path` that is renamed
/// over `path` once `write` has succeeded: a failure part way (a bad row found late, a full
/// disk) removes the temporary file and leaves whatever `path` held before.
pub fn write_to(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let Some(path) = path else {
        let mut stdout = io::stdout().lock();
        return match write(&mut stdout) {
            // A reader that stops early (`| head`) is not an error of ours.
            Err(error) if is_broken_pipe(&error) => Ok(()),
            other => other.context("writing to standard output"),
        };
    };
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".commodex-indicators-").suffix(".tmp");
    // The finished file gets the permissions a newly created one would (0666 less the
    // umask), not the owner-only ones of a temporary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut temporary = builder
        .tempfile_in(directory)
        .with_context(|| format!("cannot create {}", path.display()))?;
    write(temporary.as_file_mut()).with_context(|| format!("writing {}", path.display()))?;
    temporary
        .persist(path)
        .map_err(|error| error.error)
        .with_context(|| format!("cannot create {}", path.display()))?;
    Ok(())
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}
