//! `TCP_NODELAY` on the app's PostgreSQL and SMTP sockets (issue 22). With
//! Nagle's algorithm on, a short write that follows another one waits for the
//! peer's delayed ACK, some 40 ms on Linux: large statements and the end of
//! every mail did. sqlx-core 0.9.0 and lettre 0.11.23 as published leave it
//! off; `vendor/PATCHES.md` carries the fixes, and these tests fail without
//! them.
//!
//! How a socket is found: the kernel lists this process's open file
//! descriptors in `/proc/self/fd` (a socket reads as `socket:[inode]`) and the
//! TCP connections of its network namespace, with addresses and inode, in
//! `/proc/self/net/tcp` and `tcp6`. A connection whose addresses match and
//! whose inode is one of our descriptors is ours; the test duplicates that
//! descriptor, checks with `fstat` that the duplicate is still the same socket
//! (a descriptor closed and reused meanwhile would not be), and reads the
//! option with `getsockopt(IPPROTO_TCP, TCP_NODELAY)` through `socket2`.
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{BorrowedFd, RawFd};
use std::os::unix::fs::MetadataExt;

use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{spawn_app, spawn_app_with, EventSpec};

/// One established TCP connection this process holds.
#[derive(Debug)]
#[allow(dead_code, reason = "the addresses are read in failure messages")]
struct OwnSocket {
    local: SocketAddr,
    peer: SocketAddr,
    nodelay: bool,
}

/// The established TCP connections of this process whose addresses pass
/// `wanted`, each with its `TCP_NODELAY` as `getsockopt` reads it.
fn own_tcp_sockets(wanted: impl Fn(SocketAddr, SocketAddr) -> bool) -> Vec<OwnSocket> {
    let mut connections: HashMap<u64, (SocketAddr, SocketAddr)> = HashMap::new();
    for table in ["/proc/self/net/tcp", "/proc/self/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
            let (Some(local), Some(peer), Some(&"01"), Some(inode)) = (
                fields.get(1).and_then(|a| parse_proc_address(a)),
                fields.get(2).and_then(|a| parse_proc_address(a)),
                fields.get(3),
                fields.get(9).and_then(|i| i.parse::<u64>().ok()),
            ) else {
                continue;
            };
            if wanted(local, peer) {
                connections.insert(inode, (local, peer));
            }
        }
    }
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .flatten()
    {
        let Ok(fd) = entry.file_name().to_string_lossy().parse::<RawFd>() else {
            continue;
        };
        let Some(inode) = std::fs::read_link(entry.path()).ok().and_then(|target| {
            let target = target.to_string_lossy().into_owned();
            target
                .strip_prefix("socket:[")
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|n| n.parse::<u64>().ok())
        }) else {
            continue;
        };
        let Some(&(local, peer)) = connections.get(&inode) else {
            continue;
        };
        // SAFETY: only duplicated at once; if `fd` was closed meanwhile the
        // duplication fails, and if it was reused the inode check below
        // drops it.
        let Ok(owned) = unsafe { BorrowedFd::borrow_raw(fd) }.try_clone_to_owned() else {
            continue;
        };
        let socket = std::fs::File::from(owned);
        if socket.metadata().map(|m| m.ino()).ok() != Some(inode) {
            continue;
        }
        let nodelay = socket2::SockRef::from(&socket)
            .tcp_nodelay()
            .expect("getsockopt TCP_NODELAY");
        found.push(OwnSocket {
            local,
            peer,
            nodelay,
        });
    }
    found
}

/// `0100007F:1538` (IPv4) or 32 hex digits and a port (IPv6), each 32-bit
/// word of the address in host byte order, as `/proc/net/tcp*` writes them.
fn parse_proc_address(text: &str) -> Option<SocketAddr> {
    let (address, port) = text.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let words: Vec<u32> = (0..address.len() / 8)
        .map(|i| u32::from_str_radix(&address[i * 8..i * 8 + 8], 16).ok())
        .collect::<Option<_>>()?;
    let ip = match words[..] {
        [v4] => IpAddr::V4(Ipv4Addr::from(v4.to_le_bytes())),
        [a, b, c, d] => {
            let mut bytes = [0u8; 16];
            for (i, word) in [a, b, c, d].into_iter().enumerate() {
                bytes[i * 4..i * 4 + 4].copy_from_slice(&word.to_le_bytes());
            }
            let v6 = Ipv6Addr::from(bytes);
            v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4)
        }
        _ => return None,
    };
    Some(SocketAddr::new(ip, port))
}

#[test]
fn proc_addresses_are_read_in_host_byte_order() {
    assert_eq!(
        parse_proc_address("0100007F:1538"),
        Some("127.0.0.1:5432".parse().unwrap())
    );
    assert_eq!(
        parse_proc_address("0000000000000000FFFF00000100007F:0019"),
        Some("127.0.0.1:25".parse().unwrap())
    );
    assert_eq!(
        parse_proc_address("00000000000000000000000001000000:0050"),
        Some("[::1]:80".parse().unwrap())
    );
}

/// The app's own pool, over TCP: each connection asks PostgreSQL for its
/// client port (`inet_client_port()`), and the socket of this process with
/// that local port must have `TCP_NODELAY` set.
#[rocket::async_test]
async fn the_apps_postgres_connections_are_opened_with_tcp_nodelay() {
    let Some(url) = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    else {
        eprintln!(
            "skipped: TCP_NODELAY on PostgreSQL sockets needs DATABASE_URL=postgres://...@127.0.0.1:5432/... (this run is on SQLite)"
        );
        return;
    };
    let app = spawn_app().await;

    // Several statements at once, so the pool holds several connections;
    // each names the client port of the connection it ran on.
    let asks = (0..4).map(|_| {
        app.db.query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT inet_client_port() AS port FROM pg_sleep(0.05)",
        ))
    });
    let mut ports = Vec::new();
    for row in futures::future::join_all(asks).await {
        let row = row.expect("the query runs").expect("a row");
        match row
            .try_get::<Option<i32>>("", "port")
            .expect("a port column")
        {
            Some(port) => ports.push(u16::try_from(port).expect("a port")),
            None => {
                eprintln!("skipped: {url} connects through a Unix socket, not TCP");
                return;
            }
        }
    }
    ports.sort_unstable();
    ports.dedup();

    let sockets = own_tcp_sockets(|local, _| ports.contains(&local.port()));
    assert_eq!(
        sockets.len(),
        ports.len(),
        "one socket of this process per pool connection (ports {ports:?}): {sockets:?}"
    );
    for socket in &sockets {
        assert!(
            socket.nodelay,
            "PostgreSQL connection without TCP_NODELAY: {socket:?}"
        );
    }
}

/// The pooled lettre transport of `Mailer::Smtp`, against the test SMTP
/// server on 127.0.0.1: after a mail went out, the pooled connection to the
/// server's port must have `TCP_NODELAY` set.
#[rocket::async_test]
async fn the_smtp_transport_connects_with_tcp_nodelay() {
    let (port, received) = crate::smtp::start_smtp_server();
    let app = spawn_app_with(|f| {
        f.merge(("mail_transport", "smtp"))
            .merge(("smtp_url", format!("smtp://127.0.0.1:{port}")))
    })
    .await;
    app.create_event(EventSpec::default()).await;
    app.sign_up_api("partnerships-voor-meer-banen", "anna@utrecht.nl")
        .await;
    assert_eq!(app.send_pending_mail().await, 1);
    assert_eq!(received.lock().unwrap().len(), 1, "the server has the mail");

    // The pool keeps the connection open for the next mail.
    let sockets = own_tcp_sockets(|_, peer| peer.port() == port && peer.ip().is_loopback());
    assert!(
        !sockets.is_empty(),
        "the pooled SMTP connection is open after sending"
    );
    for socket in &sockets {
        assert!(
            socket.nodelay,
            "SMTP connection without TCP_NODELAY: {socket:?}"
        );
    }
}
