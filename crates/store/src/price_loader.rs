//! The bulk loader of an import: batches of rows written into one open transaction.
//!
//! Into series that have no stored rows yet, PostgreSQL gets one binary `COPY` for the whole
//! import, streamed batch by batch: the server inserts while the file is still being read,
//! and one statement replaces a hundred. Series that already have rows, which need the
//! upsert's conflict handling, go through [`StoreTx::upsert_prices`].
//!
//! SQLite's imports are staged instead (`staged_import.rs`): its one writer at a time would
//! otherwise wait for the whole import.

use crate::error::Result;
use crate::model::{PriceBar, SeriesKey};
use crate::pg_binary::{BinaryRows, COPY_BINARY_STATEMENT};
use crate::prices::{StoreTx, TxInner};
use sqlx::postgres::{PgConnection, PgCopyIn};

/// Writes the rows of one import through a transaction; see the module docs for how.
///
/// Call [`PriceLoader::finish`] after the last batch, or [`PriceLoader::abort`] to give up;
/// either way nothing is stored before the transaction commits.
pub struct PriceLoader<'t> {
    inner: LoaderInner<'t>,
}

enum LoaderInner<'t> {
    Copy {
        copy: PgCopyIn<&'t mut PgConnection>,
        encoder: BinaryRows,
        buffer: Vec<u8>,
    },
    Upsert {
        tx: &'t mut StoreTx,
        keys: Vec<SeriesKey>,
        affected: u64,
    },
}

impl std::fmt::Debug for PriceLoader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match self.inner {
            LoaderInner::Copy { .. } => "copy",
            LoaderInner::Upsert { .. } => "upsert",
        };
        f.debug_struct("PriceLoader").field("how", &how).finish()
    }
}

impl StoreTx {
    /// A loader for rows of `keys` (rows index into it). `all_new` says the caller has checked,
    /// in this transaction, that none of the series has stored rows: PostgreSQL then copies
    /// instead of upserting, and a row that exists after all (another writer got there
    /// first) fails the transaction rather than being overwritten.
    pub async fn price_loader(
        &mut self,
        keys: &[SeriesKey],
        all_new: bool,
    ) -> Result<PriceLoader<'_>> {
        let inner = match (self, all_new) {
            (
                StoreTx {
                    inner: TxInner::Postgres(tx),
                },
                true,
            ) => {
                let copy = tx.copy_in_raw(COPY_BINARY_STATEMENT).await?;
                let mut buffer = Vec::new();
                BinaryRows::push_header(&mut buffer);
                LoaderInner::Copy {
                    copy,
                    encoder: BinaryRows::new(keys),
                    buffer,
                }
            }
            (tx, _) => LoaderInner::Upsert {
                tx,
                keys: keys.to_vec(),
                affected: 0,
            },
        };
        Ok(PriceLoader { inner })
    }
}

impl PriceLoader<'_> {
    /// Writes one batch of `(series index, bar)` rows.
    pub async fn write(&mut self, rows: &[(usize, PriceBar)]) -> Result<()> {
        match &mut self.inner {
            LoaderInner::Copy {
                copy,
                encoder,
                buffer,
            } => {
                encoder.push_rows(buffer, rows)?;
                copy.send(buffer.as_slice()).await?;
                buffer.clear();
            }
            LoaderInner::Upsert { tx, keys, affected } => {
                *affected += tx.upsert_prices(keys, rows).await?;
            }
        }
        Ok(())
    }

    /// Ends the load and returns the number of rows inserted or changed (rows stored with
    /// identical values are not counted).
    pub async fn finish(self) -> Result<u64> {
        match self.inner {
            LoaderInner::Copy {
                mut copy,
                mut buffer,
                ..
            } => {
                BinaryRows::push_trailer(&mut buffer);
                copy.send(buffer.as_slice()).await?;
                Ok(copy.finish().await?)
            }
            LoaderInner::Upsert { affected, .. } => Ok(affected),
        }
    }

    /// Gives up: the rows sent so far are discarded and the transaction can only roll back.
    pub async fn abort(self, reason: &str) {
        if let LoaderInner::Copy { copy, .. } = self.inner
            && let Err(error) = copy.abort(reason).await
        {
            // The server may have failed the copy already; the rollback follows either way.
            tracing::debug!(%error, "aborting the copy");
        }
    }
}
