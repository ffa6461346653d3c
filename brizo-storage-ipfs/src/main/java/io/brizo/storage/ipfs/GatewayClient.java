package io.brizo.storage.ipfs;

import io.brizo.spi.BrizoException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks HTTP to the configured gateway through one OkHttp client: raw blocks (the trustless
 * gateway protocol, {@code ?format=raw} with {@code Accept: application/vnd.ipld.raw}) verified
 * against their CID as they arrive, and, in trust mode only, plain path requests.
 *
 * <p>The gateway is the publisher's choice, so it is reached as configured (no address policy);
 * the CIDs and paths that come from asset metadata or from blocks only ever become path segments
 * under it. Redirects are followed only within the gateway's own origin: anywhere else could be
 * a host the publisher never chose.
 */
final class GatewayClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayClient.class);

    static final String RAW_BLOCK = "application/vnd.ipld.raw";
    private static final String USER_AGENT = "brizo-java";
    private static final int MAX_REDIRECTS = 5;

    private final HttpUrl gateway;
    private final OkHttpClient blockClient;
    private final OkHttpClient pathClient;
    private final int maxBlockSize;

    GatewayClient(IpfsConfig config) {
        this.gateway = config.gateway();
        this.maxBlockSize = config.maxBlockSize();
        Dispatcher dispatcher = new Dispatcher();
        // Every open stream keeps a few block requests going; OkHttp's default of 5 per host
        // would make concurrent downloads queue behind each other.
        dispatcher.setMaxRequests(256);
        dispatcher.setMaxRequestsPerHost(256);
        this.pathClient = new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .followRedirects(false)
                .followSslRedirects(false)
                .addInterceptor(new SameOriginRedirects(gateway))
                .connectTimeout(config.timeout())
                .readTimeout(config.timeout())
                .writeTimeout(config.timeout())
                .build();
        // A block is small (at most IPFS_MAX_BLOCK_SIZE), so the whole request, body included,
        // must finish within the timeout; a path response in trust mode is a whole file and only
        // has the per-read timeout.
        this.blockClient = pathClient.newBuilder().callTimeout(config.timeout()).build();
    }

    /**
     * Fetches one block and verifies it against {@code cid}. The future fails with a
     * BrizoException: NOT_FOUND if the gateway does not have it, UPSTREAM_FAILED (not retryable)
     * if its bytes do not match the CID or exceed the size limit, and as {@link IpfsErrors}
     * says for transport failures. Cancelling the future cancels the request.
     */
    CompletableFuture<byte[]> fetchBlock(Cid cid) {
        if (!cid.multihash().isVerifiable()) {
            return CompletableFuture.failedFuture(IpfsErrors.unsupported("a hash function other than sha2-256"));
        }
        if (cid.multihash().code() == Multihash.IDENTITY) {
            // The data is inside the CID itself: nothing to fetch, nothing to trust.
            return CompletableFuture.completedFuture(cid.multihash().digest());
        }
        HttpUrl url = gateway.newBuilder()
                .addPathSegment("ipfs")
                .addPathSegment(cid.toString())
                .addQueryParameter("format", "raw")
                .build();
        Request request = new Request.Builder()
                .url(url)
                .header("Accept", RAW_BLOCK)
                .header("User-Agent", USER_AGENT)
                .build();
        Call call = blockClient.newCall(request);
        CompletableFuture<byte[]> result = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                call.cancel();
                return super.cancel(mayInterruptIfRunning);
            }
        };
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call c, IOException e) {
                if (!result.isDone()) {
                    LOG.debug("a block request to the IPFS gateway failed", e);
                }
                result.completeExceptionally(IpfsErrors.transport(e));
            }

            @Override
            public void onResponse(Call c, Response response) {
                try (response) {
                    result.complete(verifiedBody(cid, response));
                } catch (BrizoException e) {
                    result.completeExceptionally(e);
                } catch (IOException e) {
                    LOG.debug("reading a block from the IPFS gateway failed", e);
                    result.completeExceptionally(IpfsErrors.transport(e));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            }
        });
        return result;
    }

    private byte[] verifiedBody(Cid cid, Response response) throws IOException {
        int code = response.code();
        LOG.debug("block request answered {}", code);
        if (code == 404 || code == 410) {
            throw IpfsErrors.notFound();
        }
        if (code != 200) {
            throw IpfsErrors.status(code);
        }
        byte[] bytes = readLimited(response.body().byteStream());
        if (!cid.multihash().matches(bytes)) {
            String type = response.header("Content-Type");
            if (type != null && !type.toLowerCase(Locale.ROOT).startsWith(RAW_BLOCK)) {
                throw IpfsErrors.mismatch(
                        "the gateway does not answer with raw blocks; IPFS_GATEWAY must be a trustless gateway");
            }
            throw IpfsErrors.mismatch();
        }
        return bytes;
    }

    private byte[] readLimited(InputStream in) throws IOException {
        // One byte more than allowed tells "too large" from "exactly the limit".
        byte[] bytes = in.readNBytes(maxBlockSize + 1);
        if (bytes.length > maxBlockSize) {
            throw IpfsErrors.limit("a block from the IPFS gateway is larger than IPFS_MAX_BLOCK_SIZE (" + maxBlockSize
                    + " bytes); raise it if such blocks are expected");
        }
        return bytes;
    }

    /**
     * Sends a plain path request (trust mode): {@code GET <gateway>/ipfs/<cid>/<path...>}.
     *
     * @param range an HTTP range without the unit, or null for the whole file
     * @return the response; the caller closes it
     */
    Response getPath(Cid root, List<String> path, String range) {
        HttpUrl.Builder url = gateway.newBuilder().addPathSegment("ipfs").addPathSegment(root.toString());
        path.forEach(url::addPathSegment);
        Request.Builder request = new Request.Builder()
                .url(url.build())
                .header("User-Agent", USER_AGENT)
                // Byte ranges and lengths must refer to the file's bytes, not to a compressed form.
                .header("Accept-Encoding", "identity");
        if (range != null) {
            request.header("Range", "bytes=" + range);
        }
        try {
            return pathClient.newCall(request.build()).execute();
        } catch (IOException e) {
            LOG.debug("a path request to the IPFS gateway failed", e);
            throw IpfsErrors.transport(e);
        }
    }

    @Override
    public void close() {
        pathClient.dispatcher().cancelAll();
        pathClient.dispatcher().executorService().shutdown();
        pathClient.connectionPool().evictAll();
    }

    /** Follows redirects that stay on the gateway's scheme, host and port; refuses the others. */
    private static final class SameOriginRedirects implements Interceptor {
        private final HttpUrl origin;

        SameOriginRedirects(HttpUrl origin) {
            this.origin = origin;
        }

        @Override
        public Response intercept(Chain chain) throws IOException {
            Request request = chain.request();
            for (int redirects = 0; ; redirects++) {
                Response response = chain.proceed(request);
                int code = response.code();
                if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308) {
                    return response;
                }
                String location = response.header("Location");
                response.close();
                HttpUrl next = location == null ? null : request.url().resolve(location);
                if (next == null
                        || !next.scheme().equals(origin.scheme())
                        || !next.host().equals(origin.host())
                        || next.port() != origin.port()) {
                    throw new IpfsErrors.RedirectRefusedException();
                }
                if (redirects >= MAX_REDIRECTS) {
                    throw new IpfsErrors.TooManyRedirectsException();
                }
                request = request.newBuilder().url(next).build();
            }
        }
    }
}
