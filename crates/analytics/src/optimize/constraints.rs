//! Weight constraints: bounds for all assets, per asset and per group (catalog category),
//! and the sentence that says which of them clash when no portfolio can meet them all.
//!
//! Weights always sum to 1. Groups do not overlap (an asset has one category), so the
//! constraints are feasible exactly when every group's reachable interval
//! `[max(min, Σ lower), min(max, Σ upper)]` is non-empty and the intervals of all groups and
//! ungrouped assets together reach 1. That lets the error name the culprits instead of
//! reporting "infeasible".

use crate::AnalyticsError;

/// Lower and upper bounds on the total weight of a set of assets (a catalog category).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupBounds {
    /// The group's name, as the user wrote it (`energy`).
    pub name: String,
    /// Indices of the member assets.
    pub members: Vec<usize>,
    /// The lowest total weight of the members.
    pub min: f64,
    /// The highest total weight of the members.
    pub max: f64,
}

/// The constraints of a weight vector; long only within `[0, 1]` unless changed.
#[derive(Debug, Clone, PartialEq)]
pub struct WeightConstraints {
    names: Vec<String>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    groups: Vec<GroupBounds>,
}

impl WeightConstraints {
    /// Long only: every weight in `[0, 1]`, summing to 1 (PyPortfolioOpt's default bounds).
    pub fn long_only(names: &[String]) -> Self {
        Self {
            names: names.to_vec(),
            lower: vec![0.0; names.len()],
            upper: vec![1.0; names.len()],
            groups: Vec::new(),
        }
    }

    /// Sets the same bounds on every asset (`--bounds LO,HI`); a negative lower bound allows
    /// short positions.
    pub fn with_bounds(mut self, lower: f64, upper: f64) -> Result<Self, AnalyticsError> {
        check_finite_pair("bounds", lower, upper)?;
        self.lower.fill(lower);
        self.upper.fill(upper);
        Ok(self)
    }

    /// Sets one asset's bounds (`--bound GOLD=0.05,0.3`).
    pub fn with_asset_bounds(
        mut self,
        name: &str,
        lower: f64,
        upper: f64,
    ) -> Result<Self, AnalyticsError> {
        check_finite_pair(name, lower, upper)?;
        let index = self.index_of(name)?;
        self.lower[index] = lower;
        self.upper[index] = upper;
        Ok(self)
    }

    /// Bounds the total weight of the named assets (`--category energy=0,0.5`).
    pub fn with_group(
        mut self,
        group: &str,
        members: &[&str],
        min: f64,
        max: f64,
    ) -> Result<Self, AnalyticsError> {
        check_finite_pair(&format!("category {group}"), min, max)?;
        if members.is_empty() {
            return Err(AnalyticsError::InvalidParameter(format!(
                "category {group} has no asset among those being optimised"
            )));
        }
        let mut indices = Vec::with_capacity(members.len());
        for member in members {
            let index = self.index_of(member)?;
            if let Some(other) = self.groups.iter().find(|g| g.members.contains(&index)) {
                return Err(AnalyticsError::InvalidParameter(format!(
                    "{member} is in both category {} and category {group}",
                    other.name
                )));
            }
            if !indices.contains(&index) {
                indices.push(index);
            }
        }
        self.groups.push(GroupBounds {
            name: group.to_owned(),
            members: indices,
            min,
            max,
        });
        Ok(self)
    }

    /// The asset names, in weight order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Each asset's lower bound.
    pub fn lower(&self) -> &[f64] {
        &self.lower
    }

    /// Each asset's upper bound.
    pub fn upper(&self) -> &[f64] {
        &self.upper
    }

    /// The group bounds.
    pub fn groups(&self) -> &[GroupBounds] {
        &self.groups
    }

    /// True when every bound is the long-only `[0, 1]` and there are no groups.
    pub fn is_default_long_only(&self) -> bool {
        self.groups.is_empty()
            && self.lower.iter().all(|&l| l == 0.0)
            && self.upper.iter().all(|&u| u == 1.0)
    }

    /// The largest violation of any constraint by `weights` (0 when all are met): the sum's
    /// distance from 1, bounds, and group totals.
    pub fn violation(&self, weights: &[f64]) -> f64 {
        let mut worst = (weights.iter().sum::<f64>() - 1.0).abs();
        for ((w, lo), hi) in weights.iter().zip(&self.lower).zip(&self.upper) {
            worst = worst.max(lo - w).max(w - hi);
        }
        for group in &self.groups {
            let total: f64 = group.members.iter().map(|&i| weights[i]).sum();
            worst = worst.max(group.min - total).max(total - group.max);
        }
        worst.max(0.0)
    }

    /// `Ok` when some weights meet every constraint, else the sentence naming the clash.
    pub fn check_feasible(&self) -> Result<(), AnalyticsError> {
        let infeasible = |text: String| Err(AnalyticsError::Infeasible(text));
        for (i, name) in self.names.iter().enumerate() {
            if self.lower[i] > self.upper[i] {
                return infeasible(format!(
                    "{name}'s lower bound {} is above its upper bound {}",
                    number(self.lower[i]),
                    number(self.upper[i])
                ));
            }
        }
        // Each group, then each ungrouped asset, as a piece whose total lies in [low, high].
        let mut pieces: Vec<Piece> = Vec::new();
        for group in &self.groups {
            if group.min > group.max {
                return infeasible(format!(
                    "category {} min {} is above its max {}",
                    group.name,
                    number(group.min),
                    number(group.max)
                ));
            }
            let lower_sum: f64 = group.members.iter().map(|&i| self.lower[i]).sum();
            let upper_sum: f64 = group.members.iter().map(|&i| self.upper[i]).sum();
            if group.max < lower_sum - TOLERANCE {
                return infeasible(format!(
                    "category {} max {} with {} (their lower bounds sum to {})",
                    group.name,
                    number(group.max),
                    self.list_bounds(&group.members, &self.lower, "min"),
                    number(lower_sum)
                ));
            }
            if group.min > upper_sum + TOLERANCE {
                return infeasible(format!(
                    "category {} min {} with {} (their upper bounds sum to {})",
                    group.name,
                    number(group.min),
                    self.list_bounds(&group.members, &self.upper, "max"),
                    number(upper_sum)
                ));
            }
            let (low_from_group, high_from_group) = (group.min > lower_sum, group.max < upper_sum);
            pieces.push(Piece {
                low: group.min.max(lower_sum),
                high: group.max.min(upper_sum),
                low_text: if low_from_group {
                    format!("category {} min {}", group.name, number(group.min))
                } else {
                    self.list_bounds(&group.members, &self.lower, "min")
                },
                high_text: if high_from_group {
                    format!("category {} max {}", group.name, number(group.max))
                } else {
                    self.list_bounds(&group.members, &self.upper, "max")
                },
            });
        }
        let grouped: Vec<usize> = self
            .groups
            .iter()
            .flat_map(|g| g.members.iter().copied())
            .collect();
        for i in (0..self.names.len()).filter(|i| !grouped.contains(i)) {
            pieces.push(Piece {
                low: self.lower[i],
                high: self.upper[i],
                low_text: format!("{} min {}", self.names[i], number(self.lower[i])),
                high_text: format!("{} max {}", self.names[i], number(self.upper[i])),
            });
        }
        let low: f64 = pieces.iter().map(|p| p.low).sum();
        let high: f64 = pieces.iter().map(|p| p.high).sum();
        if high < 1.0 - TOLERANCE {
            return infeasible(if self.groups.is_empty() {
                format!("bounds sum to at most {} < 1", number(high))
            } else {
                format!(
                    "weights can sum to at most {} < 1: {}",
                    number(high),
                    join_limited(pieces.iter().map(|p| p.high_text.as_str()))
                )
            });
        }
        if low > 1.0 + TOLERANCE {
            return infeasible(if self.groups.is_empty() {
                format!("bounds sum to at least {} > 1", number(low))
            } else {
                format!(
                    "weights sum to at least {} > 1: {}",
                    number(low),
                    join_limited(pieces.iter().map(|p| p.low_text.as_str()))
                )
            });
        }
        Ok(())
    }

    fn index_of(&self, name: &str) -> Result<usize, AnalyticsError> {
        self.names.iter().position(|n| n == name).ok_or_else(|| {
            AnalyticsError::InvalidParameter(format!(
                "{name} is not one of the assets being optimised"
            ))
        })
    }

    fn list_bounds(&self, members: &[usize], bounds: &[f64], label: &str) -> String {
        join_limited(
            members
                .iter()
                .map(|&i| format!("{} {label} {}", self.names[i], number(bounds[i])))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
        )
    }
}

/// Slack allowed in the feasibility test: bounds that meet exactly (0.5 + 0.5 = 1) must pass.
const TOLERANCE: f64 = 1e-12;

struct Piece {
    low: f64,
    high: f64,
    low_text: String,
    high_text: String,
}

fn check_finite_pair(what: &str, lower: f64, upper: f64) -> Result<(), AnalyticsError> {
    if lower.is_finite() && upper.is_finite() {
        Ok(())
    } else {
        Err(AnalyticsError::InvalidParameter(format!(
            "the bounds of {what} must be finite numbers"
        )))
    }
}

/// A number as a user typed it: at most 6 decimals, no trailing zeros.
pub(crate) fn number(value: f64) -> String {
    let text = format!("{value:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".into()
    } else {
        text.into()
    }
}

/// Joins at most eight items with ", ", then says how many more there were.
fn join_limited<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<&str> = items.collect();
    let mut text = items.iter().take(8).copied().collect::<Vec<_>>().join(", ");
    if items.len() > 8 {
        text.push_str(&format!(" and {} more", items.len() - 8));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn upper_bounds_below_one_are_named() {
        let constraints = WeightConstraints::long_only(&names(&["A", "B", "C", "D"]))
            .with_bounds(0.0, 0.2)
            .unwrap();
        let error = constraints.check_feasible().unwrap_err();
        assert_eq!(error.to_string(), "bounds sum to at most 0.8 < 1");
    }

    #[test]
    fn a_category_max_below_its_members_minimums_is_named() {
        let constraints = WeightConstraints::long_only(&names(&["GOLD", "OIL", "GAS"]))
            .with_asset_bounds("GOLD", 0.2, 1.0)
            .unwrap()
            .with_group("energy", &["GOLD", "OIL"], 0.0, 0.1)
            .unwrap();
        let error = constraints.check_feasible().unwrap_err().to_string();
        assert!(
            error.starts_with("category energy max 0.1 with GOLD min 0.2"),
            "{error}"
        );
    }

    #[test]
    fn groups_and_bounds_that_cannot_reach_one_list_their_limits() {
        let constraints = WeightConstraints::long_only(&names(&["GOLD", "OIL", "GAS"]))
            .with_asset_bounds("GOLD", 0.0, 0.3)
            .unwrap()
            .with_group("energy", &["OIL", "GAS"], 0.0, 0.5)
            .unwrap();
        let error = constraints.check_feasible().unwrap_err().to_string();
        assert_eq!(
            error,
            "weights can sum to at most 0.8 < 1: category energy max 0.5, GOLD max 0.3"
        );
    }

    #[test]
    fn bounds_that_meet_exactly_are_feasible() {
        let constraints = WeightConstraints::long_only(&names(&["A", "B"]))
            .with_bounds(0.5, 0.5)
            .unwrap();
        assert!(constraints.check_feasible().is_ok());
        assert_eq!(constraints.violation(&[0.5, 0.5]), 0.0);
    }

    #[test]
    fn unknown_assets_and_overlapping_groups_are_rejected() {
        let constraints = WeightConstraints::long_only(&names(&["A", "B"]));
        assert!(
            constraints
                .clone()
                .with_asset_bounds("Z", 0.0, 1.0)
                .is_err()
        );
        let grouped = constraints.with_group("x", &["A"], 0.0, 1.0).unwrap();
        assert!(grouped.with_group("y", &["A", "B"], 0.0, 1.0).is_err());
    }
}
