//! Stage serve, HTTP: the accept loop, the routes, the bearer token, and
//! reading bodies with a size limit and a time limit. Handlers are in
//! `routes.rs`; they read requests with `run::input` and hand them to the
//! engine.
//!
//! Bad input never takes the service down: a body over the limit is
//! refused with 413 before it is read (or as soon as it passes the limit),
//! a body that trickles in is cut off with 408 (`--body-timeout`), headers
//! that trickle in are
//! cut off by hyper after 10 seconds, and at most [`MAX_CONNECTIONS`] connections are served
//! at once (more wait in the listen queue).

use super::App;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::sync::Arc;
use std::time::Duration;

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 1024;
/// How long a client may take to send its request head.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

pub fn router(app: Arc<App>) -> Router {
    let guarded = Router::new()
        .route("/v1/customers", post(super::routes::post_customers))
        .route(
            "/v1/customers/{id}",
            put(super::routes::put_customer).get(super::routes::get_customer),
        )
        .route("/v1/events", post(super::routes::post_events))
        .route(
            "/v1/clock",
            post(super::routes::post_clock).get(super::routes::get_clock),
        )
        .route("/v1/programs", get(super::routes::get_programs))
        .route("/metrics", get(super::routes::get_metrics))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            authorised,
        ));
    Router::new()
        .route("/healthz", get(super::routes::healthz))
        .merge(guarded)
        .fallback(not_found)
        .with_state(app)
}

/// Every route but `/healthz` needs `Authorization: Bearer <token>`.
async fn authorised(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(token) if same(token.as_bytes(), app.token.as_bytes()) => next.run(request).await,
        Some(_) => unauthorised("the bearer token is not this service's"),
        None => unauthorised(
            "this route needs `Authorization: Bearer <token>` (the token is in --token-file, or was printed on stderr at start)",
        ),
    }
}

/// Compares without stopping at the first difference, so the time taken
/// does not tell how much of a guess was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn unauthorised(why: &str) -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, why);
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"nurture\""),
    );
    response
}

async fn not_found(request: Request) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &format!(
            "no route `{} {}`; see docs/serve.md for the API",
            request.method(),
            request.uri().path()
        ),
    )
}

/// A JSON answer.
pub fn json(status: StatusCode, value: serde_json::Value) -> Response {
    let mut response = (status, value.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// `{"error": "…"}` with the status.
pub fn error(status: StatusCode, message: &str) -> Response {
    json(status, serde_json::json!({ "error": message }))
}

/// The body as UTF-8 text, at most `app.max_body` bytes, within
/// `app.body_timeout`.
pub async fn text(
    app: &App,
    body: Body,
    headers: &axum::http::HeaderMap,
) -> Result<String, Response> {
    let limit = app.max_body;
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "the body is larger than {} bytes (--max-body); send it in smaller batches",
                limit
            ),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let bytes =
        match tokio::time::timeout(app.body_timeout, axum::body::to_bytes(body, limit)).await {
            Err(_) => {
                return Err(error(
                    StatusCode::REQUEST_TIMEOUT,
                    &format!(
                        "the body did not arrive within {} seconds (--body-timeout)",
                        app.body_timeout.as_secs()
                    ),
                ));
            }
            Ok(Err(problem)) => {
                // http-body-util's `LengthLimitError`, somewhere in the chain.
                let mut over = false;
                let mut cause: Option<&dyn std::error::Error> = Some(&problem);
                while let Some(error) = cause {
                    over |= error.to_string().contains("length limit");
                    cause = error.source();
                }
                return Err(if over {
                    too_large()
                } else {
                    error(
                        StatusCode::BAD_REQUEST,
                        &format!("the body could not be read: {problem}"),
                    )
                });
            }
            Ok(Ok(bytes)) => bytes,
        };
    String::from_utf8(bytes.to_vec())
        .map_err(|_| error(StatusCode::BAD_REQUEST, "the body is not UTF-8 text"))
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets the
/// requests in flight finish (for at most 10 seconds).
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let permits = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors or the like: wait, do not spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT);
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), graceful.shutdown()).await;
}
