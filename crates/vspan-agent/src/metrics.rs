//! A minimal HTTP/1.1 server for `GET /metrics` (Prometheus text format).
//!
//! One thread, one connection at a time, short timeouts: scrapes are rare and small, and
//! this keeps an HTTP stack and an async runtime out of the agent. When the server-driven
//! mode brings the agent an HTTP client and runtime, this can move onto them.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::stats::SharedStats;

/// Binds `addr` (errors surface here, at start) and serves `/metrics` from `stats` on a
/// thread of its own for the life of the process.
pub fn serve(addr: SocketAddr, stats: SharedStats) -> io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind(addr)?;
    let local = listener.local_addr()?;
    let handle = std::thread::Builder::new().name("vspan-metrics".into()).spawn(move || {
        for conn in listener.incoming() {
            match conn {
                Ok(c) => {
                    if let Err(e) = answer(c, &stats) {
                        tracing::debug!("metrics connection: {e}");
                    }
                }
                Err(e) => tracing::debug!("metrics accept: {e}"),
            }
        }
    })?;
    Ok((local, handle))
}

fn answer(mut c: TcpStream, stats: &SharedStats) -> io::Result<()> {
    c.set_read_timeout(Some(Duration::from_secs(2)))?;
    c.set_write_timeout(Some(Duration::from_secs(2)))?;
    let mut r = BufReader::new(c.try_clone()?);
    let mut line = String::new();
    r.read_line(&mut line)?;
    // Drain the headers so the client sees a clean close.
    let mut h = String::new();
    while r.read_line(&mut h)? > 2 {
        h.clear();
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, ctype, body) = if method == "GET" && (path == "/metrics" || path.starts_with("/metrics?")) {
        let body = stats.lock().render_prometheus();
        ("200 OK", "text/plain; version=0.0.4; charset=utf-8", body)
    } else {
        ("404 Not Found", "text/plain; charset=utf-8", "not found: try /metrics\n".to_string())
    };
    write!(
        c,
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    c.flush()
}

/// Fetches `http://addr/metrics` (for `vspan agent --stats`).
pub fn fetch(addr: SocketAddr) -> io::Result<String> {
    let mut c = TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    c.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(c, "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
    let mut text = String::new();
    io::Read::read_to_string(&mut c, &mut text)?;
    let (head, body) = text.split_once("\r\n\r\n").ok_or_else(|| io::Error::other("malformed HTTP answer"))?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(io::Error::other(format!("answer: {}", head.lines().next().unwrap_or(""))));
    }
    Ok(body.to_string())
}
