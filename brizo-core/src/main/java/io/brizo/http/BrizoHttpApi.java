package io.brizo.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.Brizo;
import io.brizo.ComputeJobRequest;
import io.brizo.ComputeResult;
import io.brizo.ComputeStartRequest;
import io.brizo.ConsumableFile;
import io.brizo.ConsumeRequest;
import io.brizo.JobReport;
import io.brizo.PublishRequest;
import io.brizo.ServiceInfo;
import io.brizo.internal.CoreSettings;
import io.brizo.internal.RequestFields;
import io.brizo.internal.compute.ComputePolicy;
import io.brizo.internal.json.Json;
import io.brizo.metrics.BrizoMetrics;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ByteRange;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.JobState;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.OutputFile;
import io.brizo.spi.StorageObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Brizo HTTP API, independent of any server framework: turns an {@link HttpRequest} into an
 * {@link HttpResponse}. Routes keep the original Brizo paths so existing clients work. Errors are
 * JSON {@code {"error": "<kind>", "message": "..."}} and never carry a storage location.
 */
public final class BrizoHttpApi {
    // The routes, as callers of this class have long named them; defined in Routes.
    /** {@link Routes#SERVICES}. */
    public static final String SERVICES = Routes.SERVICES;
    /** {@link Routes#CONSUME}. */
    public static final String CONSUME = Routes.CONSUME;
    /** {@link Routes#COMPUTE}. */
    public static final String COMPUTE = Routes.COMPUTE;
    /** {@link Routes#PUBLISH}. */
    public static final String PUBLISH = Routes.PUBLISH;
    /** {@link Routes#ENCRYPT}. */
    public static final String ENCRYPT = Routes.ENCRYPT;
    /** {@link Routes#COMPUTE_LOGS}. */
    public static final String COMPUTE_LOGS = Routes.COMPUTE_LOGS;
    /** {@link Routes#COMPUTE_RESULT}. */
    public static final String COMPUTE_RESULT = Routes.COMPUTE_RESULT;
    /** {@link Routes#COMPUTE_RECEIPT}. */
    public static final String COMPUTE_RECEIPT = Routes.COMPUTE_RECEIPT;
    /** {@link Routes#COMPUTE_TRANSFER}. */
    public static final String COMPUTE_TRANSFER = Routes.COMPUTE_TRANSFER;
    /** {@link Routes#COMPUTE_UPLOAD}. */
    public static final String COMPUTE_UPLOAD = Routes.COMPUTE_UPLOAD;
    /** {@link Routes#COMPUTE_ENVIRONMENTS}. */
    public static final String COMPUTE_ENVIRONMENTS = Routes.COMPUTE_ENVIRONMENTS;

    /**
     * The response headers of this API that a browser script of another origin needs to read
     * (ranges, file names, compute log offsets, {@code Retry-After}): what a binding's CORS
     * support lists in {@code Access-Control-Expose-Headers}.
     */
    public static final List<String> CORS_EXPOSED_HEADERS = List.of(
            "Content-Range",
            "Content-Disposition",
            "Accept-Ranges",
            "Content-Length",
            "X-Log-Offset",
            "X-Log-Next-Offset",
            "X-Log-Complete",
            "Retry-After");

    private static final Logger LOG = LoggerFactory.getLogger(BrizoHttpApi.class);
    /** The largest JSON body of parameters, but for starting a compute job. */
    static final int MAX_BODY = 64 * 1024;
    /** The longest request target (path and query) answered; longer gets 414. */
    static final int MAX_TARGET = 64 * 1024;
    /** The largest header section answered; larger gets 431. */
    static final int MAX_HEADER_SECTION = 64 * 1024;
    /**
     * How much of a body beyond its limit is read and thrown away before the 413 is sent, so the
     * client, still sending, reads the answer instead of a reset connection.
     */
    private static final long MAX_DISCARD = 16L << 20;
    // Per active download the heap holds this buffer and about twice as much inside the JDK
    // server; 64 KiB lets the default 64 threads run in a 64 MiB heap (see docs/benchmarks).
    static final int BUFFER = 64 * 1024;
    private static final Pattern SINGLE_RANGE = Pattern.compile("bytes=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*");
    private static final Set<String> COMPUTE_PARAMS = Set.of(
            "signature",
            "serviceAgreementId",
            "consumerAddress",
            "algorithmDid",
            "algorithmMeta",
            "output",
            "jobId",
            "nonce",
            "additionalInputs",
            "environment",
            "offset",
            "index");
    private static final Set<String> PUBLISH_PARAMS =
            Set.of("documentId", "signature", "document", "publisherAddress", "nonce");
    private static final Set<String> CONSUME_PARAMS =
            Set.of("serviceAgreementId", "consumerAddress", "signature", "index", "nonce", "url");
    /** The transfer-link route as metrics name it: the token, a capability, is left out. */
    static final String TRANSFER_ROUTE = COMPUTE_TRANSFER + "/{token}";
    /** The upload-link route as metrics name it: the token, a capability, is left out. */
    static final String UPLOAD_ROUTE = COMPUTE_UPLOAD + "/{token}";
    /** The route of the docs page's files, as metrics name it. */
    static final String DOCS_FILE_ROUTE = Routes.DOCS + "/{file}";
    /** The route of a path that matches none, as metrics name it. */
    static final String UNKNOWN_ROUTE = "UNKNOWN";

    private static final Set<String> GET_HEAD = Set.of("GET", "HEAD");
    /** Headers of a download that a hand-over to the front proxy leaves to the proxy. */
    private static final Set<String> HANDOVER_DROPS = Set.of("Content-Type", "Accept-Ranges", "Content-Range");

    private static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private final Brizo brizo;
    private final long computeBodyLimit;
    private final BrizoMetrics metrics;
    private final ApiDocs docs;
    /** Null unless a front proxy sends local files ({@code BRIZO_ACCEL_REDIRECT}). */
    private final AccelRedirect accel;

    /**
     * Creates the API over {@code brizo}. A body that starts a compute job may carry an inline
     * algorithm, so its limit follows {@code BRIZO_COMPUTE_MAX_ALGORITHM_BYTES}: twice that (JSON
     * escapes) plus room for the other fields. It serves its own documentation as {@code
     * BRIZO_API_DOCS} says: the OpenAPI document at {@link Routes#SPEC}, and Swagger UI at {@link
     * Routes#DOCS} when {@code org.webjars:swagger-ui} is on the class path.
     *
     * <p>With {@code BRIZO_ACCEL_REDIRECT}, an authorised GET of a local file below a mapped
     * directory that came through the front nginx is answered with {@code X-Accel-Redirect} and no
     * body, and the proxy sends the file (and applies the range) itself.
     *
     * @throws BrizoException of kind CONFIGURATION if {@code BRIZO_API_DOCS} or {@code
     *     BRIZO_ACCEL_REDIRECT} is malformed
     */
    public BrizoHttpApi(Brizo brizo) {
        this.brizo = brizo;
        this.computeBodyLimit = 2L * ComputePolicy.maxAlgorithmBytes(brizo.settings()) + MAX_BODY;
        this.metrics = brizo.metrics();
        this.docs = new ApiDocs(
                CoreSettings.docsMode(brizo.settings()),
                brizo.info().version(),
                CoreSettings.publicUrl(brizo.settings()).orElse(null),
                BrizoHttpApi.class.getClassLoader());
        this.accel = AccelRedirect.of(brizo.settings()).orElse(null);
    }

    /**
     * {@return the response to {@code request}} Never throws for bad input: every failure becomes
     * a JSON error response. Records the answer in the facade's {@link Brizo#metrics()}.
     */
    public HttpResponse handle(HttpRequest request) {
        HttpResponse response = answer(request);
        if ("HEAD".equals(request.method())) {
            // Every HEAD, errors included, answers the headers of the GET and no body.
            response = response.withoutBody();
        }
        String route = route(request.path());
        String method = METHODS.contains(request.method()) ? request.method() : "OTHER";
        metrics.requestAnswered(route, method, response.status());
        if (response.errorKind() != null) {
            metrics.requestRefused(route, response.errorKind());
        }
        return response;
    }

    /**
     * {@return the route template {@code path} is served by, as metrics name it} A link's token
     * becomes {@code {token}}, and a path of no route {@link #UNKNOWN_ROUTE}, so that no tag holds
     * a capability or an unbounded set of values.
     */
    static String route(String path) {
        String p = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        if (p.startsWith(COMPUTE_TRANSFER + "/")) {
            return TRANSFER_ROUTE;
        }
        if (p.startsWith(COMPUTE_UPLOAD + "/")) {
            return UPLOAD_ROUTE;
        }
        if (p.startsWith(Routes.DOCS + "/")) {
            return DOCS_FILE_ROUTE;
        }
        return switch (p) {
            case "/", "" -> "/";
            case CONSUME -> CONSUME;
            case PUBLISH -> PUBLISH;
            case ENCRYPT -> ENCRYPT;
            case COMPUTE -> COMPUTE;
            case COMPUTE_LOGS -> COMPUTE_LOGS;
            case COMPUTE_RESULT -> COMPUTE_RESULT;
            case COMPUTE_RECEIPT -> COMPUTE_RECEIPT;
            case COMPUTE_ENVIRONMENTS -> COMPUTE_ENVIRONMENTS;
            case Routes.SPEC -> Routes.SPEC;
            case Routes.DOCS -> Routes.DOCS;
            default -> UNKNOWN_ROUTE;
        };
    }

    private HttpResponse answer(HttpRequest request) {
        try {
            long target = request.path().length()
                    + (request.rawQuery() == null ? 0 : 1L + request.rawQuery().length());
            if (target > MAX_TARGET) {
                return error(
                        414,
                        "URI_TOO_LONG",
                        "the request target is longer than " + MAX_TARGET + " bytes; send the parameters as a JSON"
                                + " body");
            }
            if (headerSectionSize(request) > MAX_HEADER_SECTION) {
                return error(
                        431,
                        "HEADERS_TOO_LARGE",
                        "the request headers are larger than " + MAX_HEADER_SECTION + " bytes");
            }
            String path = request.path();
            if (path.length() > 1 && path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            if (path.startsWith(COMPUTE_TRANSFER + "/")) {
                String token = path.substring(COMPUTE_TRANSFER.length() + 1);
                return only(request, GET_HEAD, () -> transfer(request, token));
            }
            if (path.startsWith(COMPUTE_UPLOAD + "/")) {
                String token = path.substring(COMPUTE_UPLOAD.length() + 1);
                return only(request, Set.of("PUT"), () -> upload(request, token));
            }
            if (path.startsWith(Routes.DOCS + "/") && docs.servesUi()) {
                String file = path.substring(Routes.DOCS.length() + 1);
                return only(request, GET_HEAD, () -> docs.file(file));
            }
            // Every route that answers GET answers HEAD too (HTTP says it should); handle() drops
            // the body.
            return switch (path) {
                case "/", "" -> only(request, GET_HEAD, () -> info());
                case CONSUME -> only(request, GET_HEAD, () -> consume(request));
                case PUBLISH -> only(request, Set.of("POST"), () -> needsProviderKey(() -> publish(request)));
                case ENCRYPT -> only(request, Set.of("POST"), () -> needsProviderKey(() -> encrypt(request)));
                case COMPUTE -> only(request, Set.of("POST", "GET", "HEAD", "PUT", "DELETE"), () -> compute(request));
                case COMPUTE_LOGS -> only(request, GET_HEAD, () -> computeLogs(request));
                case COMPUTE_RESULT -> only(request, GET_HEAD, () -> computeResult(request));
                case COMPUTE_RECEIPT -> only(request, GET_HEAD, () -> computeReceipt(request));
                case COMPUTE_ENVIRONMENTS -> only(request, GET_HEAD, () -> environments());
                case Routes.SPEC -> docs.servesSpec() ? only(request, GET_HEAD, () -> docs.spec(request)) : noRoute();
                case Routes.DOCS -> docs.servesUi() ? only(request, GET_HEAD, () -> docs.page(request)) : noRoute();
                default -> noRoute();
            };
        } catch (BrizoException e) {
            return error(e);
        } catch (BodyTooLarge e) {
            return error(413, "PAYLOAD_TOO_LARGE", "the request body is larger than " + e.limit + " bytes");
        } catch (RuntimeException e) {
            // Unexpected: log the type only, since messages of third-party code may hold locations.
            LOG.error(
                    "internal error handling {} {}: {}",
                    request.method(),
                    loggablePath(request.path()),
                    e.getClass().getName());
            LOG.debug("internal error detail", e);
            return error(500, ErrorKind.INTERNAL.name(), "internal error");
        }
    }

    private static HttpResponse noRoute() {
        return error(404, "NOT_FOUND", "no such route; see GET / for the endpoints");
    }

    /** {@return the size of the header section as sent: each line's name, ": ", value and CRLF} */
    private static long headerSectionSize(HttpRequest request) {
        long size = 0;
        for (Map.Entry<String, List<String>> h : request.headers().entrySet()) {
            for (String v : h.getValue()) {
                size += h.getKey().length() + 4L + (v == null ? 0 : v.length());
            }
        }
        return size;
    }

    /** A body over its limit: answered 413 by {@link #handle}, never thrown out of this class. */
    private static final class BodyTooLarge extends RuntimeException {
        final long limit;

        BodyTooLarge(long limit) {
            super(null, null, false, false);
            this.limit = limit;
        }
    }

    /** {@return the path with any capability token (transfer and upload links) left out} */
    static String loggablePath(String path) {
        for (String linkRoute : List.of(COMPUTE_TRANSFER, COMPUTE_UPLOAD)) {
            if (path.startsWith(linkRoute + "/")) {
                return linkRoute + "/...";
            }
        }
        return path;
    }

    private interface Route {
        HttpResponse run();
    }

    private static HttpResponse only(HttpRequest request, Set<String> methods, Route route) {
        if (!methods.contains(request.method())) {
            return HttpResponse.json(
                            405,
                            errorJson("METHOD_NOT_ALLOWED", request.method() + " is not allowed here"),
                            List.of(HttpResponse.header("Allow", String.join(", ", new java.util.TreeSet<>(methods)))))
                    .asError("METHOD_NOT_ALLOWED");
        }
        return route.run();
    }

    private HttpResponse info() {
        ServiceInfo info = brizo.info();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("software", info.software());
        body.put("version", info.version());
        body.put("providerAddress", info.providerAddress());
        // The Python Brizo's names, so its clients find what they read there.
        body.put("provider-address", info.providerAddress());
        brizo.verifierInfo().forEach(body::putIfAbsent);
        body.put("storageDrivers", brizo.storageDriverNames());
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put("consume", "GET|HEAD " + CONSUME);
        endpoints.put("publish", "POST " + PUBLISH);
        endpoints.put("encrypt", "POST " + ENCRYPT);
        endpoints.put("compute", "POST|GET|HEAD|PUT|DELETE " + COMPUTE);
        endpoints.put("computeLogs", "GET|HEAD " + COMPUTE_LOGS);
        endpoints.put("computeResult", "GET|HEAD " + COMPUTE_RESULT);
        endpoints.put("computeReceipt", "GET|HEAD " + COMPUTE_RECEIPT);
        endpoints.put("computeEnvironments", "GET|HEAD " + COMPUTE_ENVIRONMENTS);
        if (docs.servesSpec()) {
            endpoints.put("spec", "GET|HEAD " + Routes.SPEC);
        }
        if (docs.servesUi()) {
            endpoints.put("docs", "GET|HEAD " + Routes.DOCS);
        }
        body.put("endpoints", endpoints);
        return HttpResponse.json(200, Json.write(body), List.of());
    }

    private HttpResponse consume(HttpRequest request) {
        Map<String, String> p = parameters(request, CONSUME_PARAMS, MAX_BODY);
        ConsumeRequest consume = ConsumeRequest.builder()
                .agreementId(p.get("serviceAgreementId"))
                .consumerAddress(p.get("consumerAddress"))
                .signature(p.get("signature"))
                .index(p.get("index"))
                .nonce(p.get("nonce"))
                .url(p.get("url"))
                .build();
        ConsumableFile file = brizo.consume(consume);
        return download(
                request,
                new Download(file.size(), file.contentType(), file.fileName(), file.did() + " file " + file.index()),
                file::open);
    }

    /**
     * Runs a route that needs the provider's key: without one it answers 503 with the error
     * {@code CONFIGURATION} and what to set, not a 500, since the server works and only this
     * route cannot.
     */
    private static HttpResponse needsProviderKey(Route route) {
        try {
            return route.run();
        } catch (BrizoException e) {
            if (e.kind() != ErrorKind.CONFIGURATION) {
                throw e;
            }
            LOG.warn("request refused: {} {}", e.kind(), e.getMessage());
            return error(503, ErrorKind.CONFIGURATION.name(), e.getMessage());
        }
    }

    private HttpResponse publish(HttpRequest request) {
        Map<String, String> p = parameters(request, PUBLISH_PARAMS, MAX_BODY);
        String hex = brizo.publish(new PublishRequest(
                p.get("documentId"), p.get("signature"), p.get("document"), p.get("publisherAddress"), p.get("nonce")));
        return encrypted(hex);
    }

    private HttpResponse encrypt(HttpRequest request) {
        byte[] body;
        try {
            body = request.body().readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                discard(request.body());
                throw new BodyTooLarge(MAX_BODY);
            }
        } catch (IOException e) {
            throw BrizoException.invalid("the request body could not be read");
        }
        if (body.length == 0) {
            throw BrizoException.invalid("the request body is empty: send the document to encrypt as the body");
        }
        return encrypted(brizo.encrypt(body));
    }

    /** The original's answer: 201 and the ciphertext as {@code 0x} hex text. */
    private static HttpResponse encrypted(String hex) {
        return HttpResponse.bytes(
                201,
                "text/plain; charset=utf-8",
                hex.getBytes(StandardCharsets.US_ASCII),
                List.of(HttpResponse.header("Cache-Control", "no-store")));
    }

    private HttpResponse compute(HttpRequest request) {
        Map<String, String> p =
                parameters(request, COMPUTE_PARAMS, "POST".equals(request.method()) ? computeBodyLimit : MAX_BODY);
        if ("POST".equals(request.method())) {
            JobStatus started = brizo.startCompute(new ComputeStartRequest(
                    p.get("serviceAgreementId"),
                    p.get("consumerAddress"),
                    p.get("signature"),
                    p.get("nonce"),
                    p.get("algorithmDid"),
                    p.get("algorithmMeta"),
                    p.get("additionalInputs"),
                    p.get("environment"),
                    p.get("output")));
            return HttpResponse.json(200, Json.write(List.of(statusJson(started, List.of(), null))), List.of());
        }
        ComputeJobRequest job = jobRequest(p);
        List<JobReport> reports =
                switch (request.method()) {
                    case "PUT" -> List.of(brizo.stopCompute(job));
                    case "DELETE" -> List.of(new JobReport(brizo.deleteCompute(job), List.of()));
                    default -> brizo.computeStatus(job);
                };
        List<Map<String, Object>> body = new ArrayList<>();
        for (JobReport r : reports) {
            body.add(statusJson(r.status(), r.outputs(), r.resultsDid()));
        }
        return HttpResponse.json(200, Json.write(body), List.of());
    }

    private HttpResponse computeLogs(HttpRequest request) {
        Map<String, String> p = parameters(request, COMPUTE_PARAMS, MAX_BODY);
        long offset = wholeNumber(p.get("offset"), "offset", 0);
        LogChunk chunk = brizo.computeLogs(jobRequest(p), offset);
        byte[] data = chunk.data();
        return HttpResponse.bytes(
                200,
                "text/plain; charset=utf-8",
                data,
                List.of(
                        HttpResponse.header("X-Log-Offset", Long.toString(chunk.offset())),
                        HttpResponse.header("X-Log-Next-Offset", Long.toString(chunk.nextOffset())),
                        HttpResponse.header("X-Log-Complete", Boolean.toString(chunk.complete()))));
    }

    private HttpResponse computeResult(HttpRequest request) {
        Map<String, String> p = parameters(request, COMPUTE_PARAMS, MAX_BODY);
        ComputeResult result = brizo.computeResult(jobRequest(p), RequestFields.index(p.get("index")));
        String name = result.file().name();
        String fileName = name.substring(name.lastIndexOf('/') + 1);
        return download(
                request,
                new Download(result.file().size(), "application/octet-stream", fileName, "a compute output"),
                result::open);
    }

    private HttpResponse computeReceipt(HttpRequest request) {
        Map<String, String> p = parameters(request, COMPUTE_PARAMS, MAX_BODY);
        return HttpResponse.json(200, brizo.computeReceipt(jobRequest(p)).json(), List.of());
    }

    private HttpResponse transfer(HttpRequest request, String token) {
        if ("HEAD".equals(request.method())) {
            // A link reads once: HEAD shows what GET would, and leaves the link unused.
            return download(
                    request,
                    new Download(brizo.transferSize(token), "application/octet-stream", "transfer", "a transfer link"),
                    range -> {
                        throw new IllegalStateException("HEAD opens nothing");
                    });
        }
        ConsumableFile file = brizo.transfer(token);
        return download(
                request,
                new Download(file.size(), "application/octet-stream", "transfer", "a transfer link"),
                file::open);
    }

    private HttpResponse upload(HttpRequest request, String token) {
        long length = request.header("Content-Length")
                .map(v -> wholeNumber(v.trim(), "Content-Length", -1))
                .orElseThrow(() -> BrizoException.invalid("an upload needs a Content-Length"));
        String name = request.rawQuery() == null
                ? null
                : queryParameters(request.rawQuery(), Set.of("name")).get("name");
        if (name == null) {
            throw BrizoException.invalid("name is required: PUT ...?name=<relative path>");
        }
        OutputFile written = brizo.upload(
                token,
                name,
                request.body(),
                length,
                request.header("Content-Type").orElse(null));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", written.name());
        body.put("size", written.size());
        return HttpResponse.json(201, Json.write(body), List.of());
    }

    private HttpResponse environments() {
        List<Map<String, Object>> body = new ArrayList<>();
        for (ComputeEnvironment e : brizo.computeEnvironments()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id());
            m.put("description", e.description());
            m.put("cpus", e.cpus());
            m.put("memoryBytes", e.memoryBytes());
            m.put("gpus", e.gpus());
            m.put("maxDurationSeconds", e.maxDuration().toSeconds());
            body.add(m);
        }
        return HttpResponse.json(200, Json.write(body), List.of());
    }

    private static ComputeJobRequest jobRequest(Map<String, String> p) {
        return new ComputeJobRequest(
                p.get("consumerAddress"),
                p.get("signature"),
                p.get("nonce"),
                p.get("serviceAgreementId"),
                p.get("jobId"));
    }

    private static long wholeNumber(String raw, String name, long absent) {
        if (raw == null || raw.isBlank()) {
            return absent;
        }
        if (!raw.trim().matches("\\d{1,18}")) {
            throw BrizoException.invalid(name + " must be a whole number from 0");
        }
        return Long.parseLong(raw.trim());
    }

    /** A job status for old and new clients: Brizo's fields and numeric codes, plus ours. */
    private static Map<String, Object> statusJson(JobStatus s, List<OutputFile> outputs, String resultsDid) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jobId", s.jobId());
        m.put("owner", s.owner());
        m.put("agreementId", s.agreementId());
        m.put("state", s.state().name());
        m.put("status", s.state().brizoStatus());
        m.put("statusText", statusText(s.state()));
        m.put("exitCode", s.exitCode());
        m.put("message", s.message());
        m.put("dateCreated", s.created().toString());
        m.put("dateStarted", s.started() == null ? null : s.started().toString());
        m.put("dateFinished", s.finished() == null ? null : s.finished().toString());
        m.put("algorithmLogUrl", COMPUTE_LOGS + "?jobId=" + s.jobId());
        List<String> urls = new ArrayList<>();
        List<Map<String, Object>> results = new ArrayList<>();
        for (int i = 0; i < outputs.size(); i++) {
            urls.add(COMPUTE_RESULT + "?jobId=" + s.jobId() + "&index=" + i);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("index", i);
            r.put("name", outputs.get(i).name());
            r.put("size", outputs.get(i).size());
            results.add(r);
        }
        m.put("resultsUrls", urls);
        m.put("results", results);
        // Brizo's clients read a string: empty until the outputs are an asset (derived asset).
        m.put("resultsDid", resultsDid == null ? "" : resultsDid);
        boolean ended =
                s.state() == JobState.SUCCEEDED || s.state() == JobState.FAILED || s.state() == JobState.STOPPED;
        m.put("receiptUrl", ended ? COMPUTE_RECEIPT + "?jobId=" + s.jobId() : null);
        return m;
    }

    private static String statusText(JobState state) {
        return switch (state) {
            case QUEUED -> "Job started";
            case PROVISIONING -> "Configuring volumes";
            case RUNNING -> "Running algorithm";
            case PUBLISHING -> "Publishing results";
            case SUCCEEDED -> "Job completed";
            case FAILED -> "Job failed";
            case STOPPED -> "Job stopped";
            case DELETED -> "Job deleted";
        };
    }

    /** What a download route serves; {@code what} names it in logs, never by location. */
    private record Download(long size, String contentType, String fileName, String what) {}

    /**
     * Answers GET or HEAD for a file of known size: the whole file (200), one range (206), or 416
     * with the size; streams with flat memory and aborts the response if the source fails midway.
     */
    private HttpResponse download(
            HttpRequest request, Download d, java.util.function.Function<ByteRange, StorageObject> opener) {
        Optional<ByteRange> requested = requestedRange(request);
        ByteRange range = requested.orElse(ByteRange.all());
        ByteRange.Slice slice;
        try {
            slice = range.resolve(d.size());
        } catch (BrizoException e) {
            if (e.kind() != ErrorKind.RANGE_NOT_SATISFIABLE) {
                throw e;
            }
            return HttpResponse.json(
                            416,
                            errorJson(e.kind().name(), "the range is outside the file of " + d.size() + " bytes"),
                            List.of(HttpResponse.header("Content-Range", "bytes */" + d.size())))
                    .asError(e.kind().name());
        }
        boolean partial = requested.isPresent();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        headers.add(HttpResponse.header("Content-Type", d.contentType()));
        headers.add(HttpResponse.header("Content-Disposition", ContentDisposition.attachment(d.fileName())));
        headers.add(HttpResponse.header("Accept-Ranges", "bytes"));
        headers.add(HttpResponse.header("Cache-Control", "no-store"));
        headers.add(HttpResponse.header("X-Content-Type-Options", "nosniff"));
        if (partial) {
            headers.add(HttpResponse.header(
                    "Content-Range", "bytes " + slice.offset() + "-" + slice.lastOffset() + "/" + slice.totalSize()));
        }
        if ("HEAD".equals(request.method())) {
            return new HttpResponse(partial ? 206 : 200, headers, slice.length(), null);
        }
        StorageObject object = slice.length() == 0 ? null : opener.apply(range);
        if (object != null && !object.slice().equals(slice)) {
            closeQuietly(object);
            throw new BrizoException(ErrorKind.UPSTREAM_FAILED, "the storage returned a different part of the file");
        }
        Optional<String> internal = accelTarget(request, object);
        if (internal.isPresent()) {
            closeQuietly(object);
            // The proxy answers the range itself (206 or 416, Content-Range, Accept-Ranges) from the
            // request it kept; it passes these headers on and drops the rest.
            // Content-Type goes first, as cached() puts it.
            List<Map.Entry<String, String>> handover = new ArrayList<>(headers);
            handover.removeIf(h -> HANDOVER_DROPS.contains(h.getKey()));
            handover.add(HttpResponse.header(AccelRedirect.REDIRECT_HEADER, internal.get()));
            metrics.bytesServed(route(request.path()), slice.length());
            return HttpResponse.cached(200, d.contentType(), new byte[0], handover);
        }
        return new HttpResponse(
                partial ? 206 : 200,
                headers,
                slice.length(),
                new StorageBody(object, slice, d.what(), metrics, route(request.path())));
    }

    /**
     * {@return the internal URI from which the front proxy is to send {@code object}, or empty when
     * Brizo sends it: no proxy configured, a request that did not come through it, or not a local
     * file below a mapped directory}
     */
    private Optional<String> accelTarget(HttpRequest request, StorageObject object) {
        if (accel == null || object == null || !"GET".equals(request.method()) || !accel.trusts(request)) {
            return Optional.empty();
        }
        return object.localFile().flatMap(f -> accel.target(f.path()));
    }

    /**
     * The single {@code bytes=} range of the request, or the whole file. Multiple ranges, other
     * units, malformed values and {@code If-Range} (no validators are sent) are ignored, which
     * RFC 9110 allows: the client then gets the whole file with 200, never a wrong part.
     *
     * @return the range, or empty to send the whole file with 200
     */
    static Optional<ByteRange> requestedRange(HttpRequest request) {
        Optional<String> header = request.header("Range");
        if (header.isEmpty() || request.header("If-Range").isPresent()) {
            return Optional.empty();
        }
        Matcher m = SINGLE_RANGE.matcher(header.get().trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        String first = m.group(1);
        String last = m.group(2);
        try {
            if (first.isEmpty() && last.isEmpty()) {
                return Optional.empty();
            }
            if (first.isEmpty()) {
                return Optional.of(ByteRange.suffix(Long.parseLong(last)));
            }
            long f = Long.parseLong(first);
            if (last.isEmpty()) {
                return Optional.of(ByteRange.from(f));
            }
            long l = Long.parseLong(last);
            return l < f ? Optional.empty() : Optional.of(ByteRange.of(f, l));
        } catch (NumberFormatException e) {
            // Digits beyond a long: no file is that large, so treat as invalid and ignore it.
            return Optional.empty();
        }
    }

    /**
     * Parameters from the query string or, when there is none, from a JSON object body. The
     * squid-java client sends {@code url} without encoding, so an {@code &} not followed by a
     * known parameter name stays part of the url.
     */
    static Map<String, String> parameters(HttpRequest request, Set<String> names, long maxBody) {
        String query = request.rawQuery();
        if (query != null && !query.isEmpty()) {
            return queryParameters(query, names);
        }
        return bodyParameters(request, names, maxBody);
    }

    static Map<String, String> queryParameters(String query, Set<String> names) {
        Map<String, String> raw = new HashMap<>();
        String current = null;
        for (String part : query.split("&", -1)) {
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : decode(part.substring(0, eq));
            if (names.contains(name)) {
                current = raw.containsKey(name) ? null : name; // the first occurrence wins
                if (current != null) {
                    raw.put(name, eq < 0 ? "" : part.substring(eq + 1));
                }
            } else if ("url".equals(current)) {
                raw.put("url", raw.get("url") + "&" + part);
            } else {
                current = null;
            }
        }
        Map<String, String> out = new HashMap<>();
        raw.forEach((k, v) -> {
            if ("url".equals(k) && v.contains("://")) {
                out.put(k, v); // a plain, unencoded URL as squid-java sends it
            } else {
                out.put(k, decode(v));
            }
        });
        return out;
    }

    private static Map<String, String> bodyParameters(HttpRequest request, Set<String> names, long maxBody) {
        byte[] body;
        try {
            long announced = request.header("Content-Length")
                    .filter(v -> v.trim().matches("\\d{1,18}"))
                    .map(v -> Long.parseLong(v.trim()))
                    .orElse(-1L);
            if (announced > maxBody) {
                discard(request.body());
                throw new BodyTooLarge(maxBody);
            }
            body = request.body().readNBytes((int) maxBody + 1);
            if (body.length > maxBody) {
                discard(request.body());
                throw new BodyTooLarge(maxBody);
            }
        } catch (IOException e) {
            throw BrizoException.invalid("the request body could not be read");
        }
        if (new String(body, StandardCharsets.UTF_8).isBlank()) {
            return Map.of();
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            throw BrizoException.invalid("the request body must be a JSON object of parameters, each key once");
        }
        if (root == null || !root.isObject()) {
            throw BrizoException.invalid("the request body must be a JSON object of parameters, each key once");
        }
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!names.contains(e.getKey()) || e.getValue().isNull()) {
                continue;
            }
            JsonNode v = e.getValue();
            // The original treated index 0 as missing; a JSON number 0 is a real index here.
            if (v.isTextual() || v.isIntegralNumber()) {
                out.put(e.getKey(), v.asText());
            } else if (v.isContainerNode()) {
                out.put(e.getKey(), v.toString()); // algorithmMeta and the like, sent as JSON
            } else if (v.isBoolean()) {
                out.put(e.getKey(), v.asText());
            } else {
                throw BrizoException.invalid(e.getKey() + " must be a string or a whole number");
            }
        }
        return out;
    }

    /** Reads and drops what is left of a body, up to a bound, so the client can read our answer. */
    private static void discard(InputStream body) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long left = MAX_DISCARD;
        for (int n; left > 0 && (n = body.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; ) {
            left -= n;
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw BrizoException.invalid("the query string has a malformed percent-encoding");
        }
    }

    /** {@return the HTTP status for an error kind; the one place this mapping lives} */
    public static int status(ErrorKind kind) {
        return switch (kind) {
            case INVALID_REQUEST -> 400;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case RANGE_NOT_SATISFIABLE -> 416;
            case UPSTREAM_FAILED -> 502;
            case UNAVAILABLE -> 503;
            case CONFIGURATION, INTERNAL -> 500;
        };
    }

    private static HttpResponse error(BrizoException e) {
        int status = status(e.kind());
        if (status >= 500) {
            LOG.warn("request failed: {} {}", e.kind(), e.getMessage());
        } else {
            LOG.info("request refused: {} {}", e.kind(), e.getMessage());
        }
        List<Map.Entry<String, String>> extra =
                e.retryable() ? List.of(HttpResponse.header("Retry-After", "5")) : List.of();
        return HttpResponse.json(status, errorJson(e.kind().name(), e.getMessage()), extra)
                .asError(e.kind().name());
    }

    private static HttpResponse error(int status, String kind, String message) {
        return HttpResponse.json(status, errorJson(kind, message), List.of()).asError(kind);
    }

    private static String errorJson(String kind, String message) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", kind);
        body.put("message", message);
        return Json.write(body);
    }

    private static void closeQuietly(StorageObject object) {
        try {
            object.close();
        } catch (IOException ignored) {
            // Nothing more to do with a stream we will not read.
        }
    }
}
