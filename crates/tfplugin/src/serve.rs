//! Starting the plugin: listen, authenticate, print the handshake line, serve
//! gRPC until Terraform says Shutdown.

use std::io::Write;
use std::pin::Pin;
use std::process::ExitCode;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{mpsc, oneshot};
use tokio_stream::wrappers::ReceiverStream;
use tonic::transport::server::Connected;
use tonic::{Request, Response, Status};

use super::framework::Provider;
use super::grpc::ProviderService;
use super::handshake::{Address, PluginEnv, handshake_line, reattach_config};
use super::proto::plugin::grpc_controller_server::{GrpcController, GrpcControllerServer};
use super::proto::plugin::grpc_stdio_server::{GrpcStdio, GrpcStdioServer};
use super::proto::plugin::{Empty, StdioData};
use super::proto::tfplugin5::provider_server::ProviderServer;
use super::tls;

/// Terraform sends large schemas and states; go-plugin servers allow 256 MiB.
const MAX_MESSAGE_BYTES: usize = 256 * 1024 * 1024;

/// What only the provider binary knows about how it is served.
#[derive(Clone, Copy, Debug)]
pub struct ServeOptions<'a> {
    /// The registry source address (`registry.terraform.io/NAMESPACE/TYPE`),
    /// used by `--debug`.
    pub provider_address: &'a str,
    /// Tracing targets (crate names) that log at the level Terraform asks
    /// for; every other crate is capped at info.
    pub log_targets: &'a [&'a str],
    /// Tracing targets never logged, for example a request signer that logs
    /// secrets at trace level.
    pub silenced_log_targets: &'a [&'a str],
}

/// Runs the provider as a Terraform plugin and returns the process exit code.
pub fn serve<P: Provider>(provider: P, options: &ServeOptions<'_>) -> ExitCode {
    super::log::init(options.log_targets, options.silenced_log_targets);
    let provider_address = options.provider_address;
    let debug = std::env::args()
        .skip(1)
        .any(|a| a == "--debug" || a == "-debug");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        if debug {
            run_debug(provider, provider_address).await
        } else {
            run_plugin(provider).await
        }
    });
    // Blocking tasks (none expected) must not keep a finished plugin alive.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

async fn run_plugin<P: Provider>(provider: P) -> Result<(), String> {
    let env = PluginEnv::from_env(provider.type_name(), |k| std::env::var(k).ok())
        .map_err(|e| e.to_string())?;
    ignore_interrupts();
    let (listener, address, _socket_dir) = listen(&env).await?;
    let tls = match &env.client_certificate {
        Some(pem) => {
            let client = tls::parse_client_certificate(pem).map_err(|e| e.to_string())?;
            Some(tls::server_tls(client).map_err(|e| e.to_string())?)
        }
        None => None,
    };
    let line = handshake_line(&address, tls.as_ref().map(|t| t.certificate_der.as_slice()));
    let acceptor = tls.map(|t| tokio_rustls::TlsAcceptor::from(t.config));
    let incoming = accept_loop(listener, acceptor);
    let (shutdown_tx, shutdown_rx) = oneshot::channel();
    let server = tokio::spawn(serve_grpc(provider, incoming, shutdown_tx, shutdown_rx));
    print_line(&line)?;
    server
        .await
        .map_err(|e| format!("plugin server task failed: {e}"))?
}

async fn run_debug<P: Provider>(provider: P, provider_address: &str) -> Result<(), String> {
    let env = PluginEnv {
        min_port: 10000,
        max_port: 25000,
        client_certificate: None,
        unix_socket_dir: None,
    };
    let (listener, address, _socket_dir) = listen(&env).await?;
    let incoming = accept_loop(listener, None);
    let (shutdown_tx, shutdown_rx) = oneshot::channel();
    let reattach = reattach_config(provider_address, &address, std::process::id());
    println!("Provider started in debug mode (no TLS). To use it, export in another shell:\n");
    println!("    TF_REATTACH_PROVIDERS='{reattach}'\n");
    println!("then run terraform there. Stop this process with Ctrl-C.");
    let _ = std::io::stdout().flush();
    tokio::select! {
        result = serve_grpc(provider, incoming, shutdown_tx, shutdown_rx) => result,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

fn print_line(line: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|_| stdout.flush())
        .map_err(|e| format!("cannot write the handshake line: {e}"))
}

/// Ctrl-C reaches the provider too; Terraform stops it through Stop and
/// Shutdown instead, so the signal must not kill it mid-apply.
fn ignore_interrupts() {
    if let Ok(mut signals) =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
    {
        tokio::spawn(async move { while signals.recv().await.is_some() {} });
    }
}

async fn serve_grpc<P: Provider>(
    provider: P,
    incoming: mpsc::Receiver<Result<Connection, std::io::Error>>,
    shutdown_tx: oneshot::Sender<()>,
    shutdown_rx: oneshot::Receiver<()>,
) -> Result<(), String> {
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    let provider_service = ProviderServer::new(ProviderService::new(provider))
        .max_decoding_message_size(MAX_MESSAGE_BYTES)
        .max_encoding_message_size(MAX_MESSAGE_BYTES);
    let controller = GrpcControllerServer::new(Controller {
        shutdown: std::sync::Mutex::new(Some(shutdown_tx)),
    });
    tonic::transport::Server::builder()
        .add_service(provider_service)
        .add_service(controller)
        .add_service(health)
        .add_service(GrpcStdioServer::new(Stdio))
        .serve_with_incoming_shutdown(ReceiverStream::new(incoming), async {
            let _ = shutdown_rx.await;
        })
        .await
        .map_err(|e| format!("gRPC server failed: {e}"))
}

enum Listener {
    Unix(UnixListener),
    Tcp(TcpListener),
}

/// Listens on a unix socket in a fresh private directory, falling back to
/// TCP on 127.0.0.1 within Terraform's port range.
async fn listen(env: &PluginEnv) -> Result<(Listener, Address, Option<tempfile::TempDir>), String> {
    let dir = match &env.unix_socket_dir {
        Some(d) => tempfile::Builder::new().prefix("plugin").tempdir_in(d),
        None => tempfile::Builder::new().prefix("plugin").tempdir(),
    };
    if let Ok(dir) = dir {
        let path = dir.path().join("provider.sock");
        if let Ok(listener) = UnixListener::bind(&path) {
            return Ok((Listener::Unix(listener), Address::Unix(path), Some(dir)));
        }
    }
    for port in env.min_port..=env.max_port {
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)).await {
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            return Ok((Listener::Tcp(listener), Address::Tcp(addr), None));
        }
    }
    Err(format!(
        "cannot listen: no unix socket and no free TCP port in {}..{}",
        env.min_port, env.max_port
    ))
}

/// Accepts connections and completes TLS handshakes off the accept path; a
/// peer that fails authentication is dropped and never reaches gRPC.
fn accept_loop(
    listener: Listener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
) -> mpsc::Receiver<Result<Connection, std::io::Error>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let raw: Box<dyn Io> = match &listener {
                Listener::Unix(l) => match l.accept().await {
                    Ok((s, _)) => Box::new(s),
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        continue;
                    }
                },
                Listener::Tcp(l) => match l.accept().await {
                    Ok((s, _)) => Box::new(s),
                    Err(e) => {
                        tracing::warn!("accept failed: {e}");
                        continue;
                    }
                },
            };
            let tx = tx.clone();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let conn = match acceptor {
                    None => Connection(raw),
                    Some(acceptor) => match acceptor.accept(raw).await {
                        Ok(tls) => Connection(Box::new(tls)),
                        Err(e) => {
                            tracing::warn!(
                                "refused a connection that failed TLS client authentication: {e}"
                            );
                            return;
                        }
                    },
                };
                let _ = tx.send(Ok(conn)).await;
            });
        }
    });
    rx
}

trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// One accepted (and, with TLS, authenticated) connection.
struct Connection(Box<dyn Io>);

impl Connected for Connection {
    type ConnectInfo = ();
    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
}

/// go-plugin's controller: Shutdown ends the server (the client kills the
/// process 2 s later, so this must be prompt).
struct Controller {
    shutdown: std::sync::Mutex<Option<oneshot::Sender<()>>>,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        if let Some(tx) = self.shutdown.lock().ok().and_then(|mut s| s.take()) {
            let _ = tx.send(());
        }
        Ok(Response::new(Empty {}))
    }
}

/// go-plugin's stdio stream. We never write to stdout/stderr through it (logs
/// go to stderr directly), so the stream stays open and silent.
struct Stdio;

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream =
        Pin<Box<dyn tokio_stream::Stream<Item = Result<StdioData, Status>> + Send>>;
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(Box::pin(tokio_stream::pending())))
    }
}
