//! Saved portfolios: a name and weighted assets, created, read, replaced and deleted whole.

use crate::database::{BeginWrite, Store, on_pool};
use crate::error::{Result, StoreError};
use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;

/// One holding of a portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "utoipa", schema(example = json!({"source": "demo", "symbol": "GOLD", "weight": 0.6})))]
pub struct PortfolioAsset {
    /// The source whose prices value this asset.
    pub source: String,
    /// Our symbol.
    pub symbol: String,
    /// The weight, as given (normalised when metrics are computed).
    pub weight: f64,
}

/// What a client sends to create or replace a portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "utoipa", schema(example = json!({"name": "Metals and oil", "assets": [{"source": "demo", "symbol": "GOLD", "weight": 0.6}, {"source": "demo", "symbol": "WTI", "weight": 0.4}]})))]
pub struct NewPortfolio {
    /// A name for people.
    pub name: String,
    /// The holdings, in the order given.
    pub assets: Vec<PortfolioAsset>,
}

/// A stored portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "utoipa", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "utoipa", schema(example = json!({"id": 1, "name": "Metals and oil", "assets": [{"source": "demo", "symbol": "GOLD", "weight": 0.6}, {"source": "demo", "symbol": "WTI", "weight": 0.4}], "created_at": "2026-01-05T10:00:00Z", "updated_at": "2026-01-05T10:00:00Z"})))]
pub struct Portfolio {
    /// Its id.
    pub id: i64,
    /// A name for people.
    pub name: String,
    /// The holdings, in the order given.
    pub assets: Vec<PortfolioAsset>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last replaced.
    pub updated_at: DateTime<Utc>,
}

const SELECT_PORTFOLIO: &str =
    "SELECT id, name, created_at, updated_at FROM portfolios WHERE id = $1";
const SELECT_ASSETS: &str = "SELECT source, symbol, weight FROM portfolio_assets \
     WHERE portfolio_id = $1 ORDER BY position";
const INSERT_ASSET: &str = "INSERT INTO portfolio_assets (portfolio_id, position, source, symbol, weight) \
     VALUES ($1, $2, $3, $4, $5)";

/// Inserts a portfolio's assets in their order, inside the caller's transaction (whichever
/// backend's it is: a macro, as `on_pool!`, because the two transaction types differ).
macro_rules! insert_assets {
    ($tx:ident, $id:expr, $assets:expr) => {
        for (position, asset) in $assets.iter().enumerate() {
            sqlx::query(INSERT_ASSET)
                .bind($id)
                .bind(position as i32)
                .bind(&asset.source)
                .bind(&asset.symbol)
                .bind(asset.weight)
                .execute(&mut *$tx)
                .await?;
        }
    };
}

impl Store {
    /// Stores a new portfolio and returns it with its id and timestamps.
    pub async fn create_portfolio(&self, portfolio: &NewPortfolio) -> Result<Portfolio> {
        // Microseconds are what PostgreSQL keeps: truncating here makes the answer equal what
        // a later read returns.
        let now = Utc::now().trunc_subsecs(6);
        let id = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO portfolios (name, created_at, updated_at) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(&portfolio.name)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            insert_assets!(tx, id, portfolio.assets);
            tx.commit().await?;
            id
        });
        Ok(Portfolio {
            id,
            name: portfolio.name.clone(),
            assets: portfolio.assets.clone(),
            created_at: now,
            updated_at: now,
        })
    }

    /// One portfolio by id.
    pub async fn portfolio(&self, id: i64) -> Result<Portfolio> {
        let found = on_pool!(self, pool => {
            let Some(row) = sqlx::query(SELECT_PORTFOLIO).bind(id).fetch_optional(pool).await?
            else {
                return Err(StoreError::NotFound(format!("portfolio {id}")));
            };
            let assets = sqlx::query(SELECT_ASSETS)
                .bind(id)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|asset| {
                    Ok(PortfolioAsset {
                        source: asset.try_get("source")?,
                        symbol: asset.try_get("symbol")?,
                        weight: asset.try_get("weight")?,
                    })
                })
                .collect::<std::result::Result<Vec<_>, sqlx::Error>>()?;
            Portfolio {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                assets,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            }
        });
        Ok(found)
    }

    /// Every portfolio, oldest first.
    pub async fn portfolios(&self) -> Result<Vec<Portfolio>> {
        let ids: Vec<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM portfolios ORDER BY id").fetch_all(pool).await?
        });
        let mut portfolios = Vec::with_capacity(ids.len());
        for id in ids {
            match self.portfolio(id).await {
                Ok(portfolio) => portfolios.push(portfolio),
                // Deleted between the two reads: it is simply no longer listed.
                Err(StoreError::NotFound(_)) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(portfolios)
    }

    /// Replaces the name and assets of a portfolio.
    pub async fn update_portfolio(&self, id: i64, portfolio: &NewPortfolio) -> Result<Portfolio> {
        let now = Utc::now().trunc_subsecs(6);
        let updated = on_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let changed = sqlx::query("UPDATE portfolios SET name = $1, updated_at = $2 WHERE id = $3")
                .bind(&portfolio.name)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if changed == 0 {
                return Err(StoreError::NotFound(format!("portfolio {id}")));
            }
            sqlx::query("DELETE FROM portfolio_assets WHERE portfolio_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            insert_assets!(tx, id, portfolio.assets);
            tx.commit().await?;
            changed
        });
        debug_assert_eq!(updated, 1);
        self.portfolio(id).await
    }

    /// Deletes a portfolio and its assets.
    pub async fn delete_portfolio(&self, id: i64) -> Result<()> {
        let deleted = on_pool!(self, pool => {
            sqlx::query("DELETE FROM portfolios WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if deleted == 0 {
            return Err(StoreError::NotFound(format!("portfolio {id}")));
        }
        Ok(())
    }
}
