//! A TCP proxy in front of a database that a test can cut and restore, so
//! "the database became unreachable" is real: connections the system holds
//! are closed and new ones are refused, then the same address works again.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub struct Proxy {
    pub addr: SocketAddr,
    target: SocketAddr,
    state: Arc<Mutex<Vec<JoinHandle<()>>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl Proxy {
    pub async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let mut proxy = Proxy {
            addr,
            target,
            state: Arc::new(Mutex::new(Vec::new())),
            acceptor: None,
        };
        proxy.acceptor = Some(proxy.accept_on(listener));
        proxy
    }

    fn accept_on(&self, listener: TcpListener) -> JoinHandle<()> {
        let target = self.target;
        let state = self.state.clone();
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let pipe = tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                state.lock().expect("proxy state").push(pipe);
            }
        })
    }

    /// Stop accepting and close every proxied connection.
    pub fn cut(&mut self) {
        if let Some(a) = self.acceptor.take() {
            a.abort();
        }
        for pipe in self.state.lock().expect("proxy state").drain(..) {
            pipe.abort();
        }
    }

    /// Accept again on the same address.
    pub async fn restore(&mut self) {
        // The aborted acceptor drops its listener on its next poll: retry.
        let mut tries = 0;
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(e) if tries < 50 => {
                    tries += 1;
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("rebind proxy on {}: {e}", self.addr),
            }
        };
        self.acceptor = Some(self.accept_on(listener));
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.cut();
    }
}
