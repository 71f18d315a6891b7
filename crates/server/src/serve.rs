//! The accept loop: what one client can hold of the server's connections.
//!
//! `axum::serve` gives hyper no timer, so hyper's header read timeout never fires and a client
//! that sends half a request holds its connection for ever. Here every connection gets:
//! - a **header read timeout**: the request line and headers must arrive within it, and an idle
//!   keep-alive connection waiting for its next request is closed after it too (hyper starts
//!   the same timer when it waits for the next request's head);
//! - a **cap on open connections**, in all and per client address: a connection over either is
//!   closed at once, before anything is read, so a flood cannot queue work; the per-client cap
//!   is not applied behind a trusted proxy, whose own address carries every client.
//!
//! Shutting down stops accepting, lets requests in flight finish and closes idle connections.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Counter of connections closed at once because a cap was reached, by `cap`.
pub const CONNECTIONS_REFUSED: &str = "commodex_connections_refused_total";

/// What one instance accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// Time for a request's line and headers to arrive, and for an idle keep-alive connection
    /// to send its next request.
    pub header_read_timeout: Duration,
    /// Connections open at once, in all.
    pub max_connections: usize,
    /// Connections open at once from one client address (not applied when `per_client` is
    /// false: behind a proxy every connection comes from the proxy).
    pub max_connections_per_client: usize,
    /// Whether the per-client cap applies.
    pub per_client: bool,
}

/// Open connections, in all and per client address; a connection's [`Slot`] gives its place
/// back when dropped.
#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_address: HashMap<IpAddr, usize>,
}

/// The open connections and a signal each time one closes (shutdown waits for the last).
#[derive(Debug, Default)]
struct Connections {
    open: Mutex<Open>,
    closed: tokio::sync::Notify,
}

/// One accepted connection's place in [`Open`].
struct Slot {
    connections: Arc<Connections>,
    address: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .connections
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(count) = open.by_address.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.by_address.remove(&self.address);
            }
        }
        drop(open);
        self.connections.closed.notify_waiters();
    }
}

/// Takes a place for a connection from `address`, or says which cap is reached.
fn take_slot(
    connections: &Arc<Connections>,
    address: IpAddr,
    limits: &ConnectionLimits,
) -> Result<Slot, &'static str> {
    let mut counts = connections
        .open
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if counts.total >= limits.max_connections {
        return Err("total");
    }
    let from_address = counts.by_address.get(&address).copied().unwrap_or(0);
    if limits.per_client && from_address >= limits.max_connections_per_client {
        return Err("per_client");
    }
    counts.total += 1;
    *counts.by_address.entry(address).or_insert(0) += 1;
    Ok(Slot {
        connections: Arc::clone(connections),
        address,
    })
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves, then waits for the
/// requests in flight.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let builder = Arc::new(builder);
    let connections = Arc::new(Connections::default());
    let (stopping, stop) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let slot = match take_slot(&connections, peer.ip(), &limits) {
            Ok(slot) => slot,
            Err(cap) => {
                metrics::counter!(CONNECTIONS_REFUSED, "cap" => cap).increment(1);
                drop(stream);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = TowerToHyperService::new(tower::service_fn(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                router.clone().oneshot(request.map(Body::new))
            },
        ));
        let builder = Arc::clone(&builder);
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let connection = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            tokio::pin!(connection);
            // Errors here are the client's (a reset, a header timeout): nothing to report.
            let stopped = tokio::select! {
                _ = connection.as_mut() => false,
                stopping = stop.wait_for(|stopping| *stopping) => stopping.is_ok(),
            };
            if stopped {
                // Requests in flight finish; an idle connection closes now.
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
            drop(slot);
        });
    }
    drop(listener);
    stopping.send_replace(true);
    loop {
        let closed = connections.closed.notified();
        let open = connections
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total;
        if open == 0 {
            break;
        }
        closed.await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(total: usize, per_client: usize) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(1),
            max_connections: total,
            max_connections_per_client: per_client,
            per_client: true,
        }
    }

    #[test]
    fn slots_hold_both_caps_and_come_back_when_dropped() {
        let open = Arc::new(Connections::default());
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let b: IpAddr = "10.0.0.2".parse().unwrap();
        let caps = limits(3, 2);
        let first = take_slot(&open, a, &caps).unwrap();
        let _second = take_slot(&open, a, &caps).unwrap();
        assert_eq!(take_slot(&open, a, &caps).err(), Some("per_client"));
        let _third = take_slot(&open, b, &caps).unwrap();
        assert_eq!(take_slot(&open, b, &caps).err(), Some("total"));
        drop(first);
        assert!(take_slot(&open, a, &caps).is_ok());
        // Behind a proxy only the total counts.
        let proxied = ConnectionLimits {
            per_client: false,
            ..limits(10, 1)
        };
        let open = Arc::new(Connections::default());
        let slots: Vec<Slot> = (0..5)
            .map(|_| take_slot(&open, a, &proxied).unwrap())
            .collect();
        assert_eq!(slots.len(), 5);
    }
}
