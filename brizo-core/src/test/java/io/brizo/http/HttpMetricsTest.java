package io.brizo.http;

import static io.brizo.http.ConsumeHttpTest.AGREEMENT;
import static io.brizo.http.ConsumeHttpTest.DID;
import static io.brizo.http.ConsumeHttpTest.JSON;
import static io.brizo.http.ConsumeHttpTest.OTHER_AGREEMENT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.Brizo;
import io.brizo.ConsumeRequest;
import io.brizo.TestKeys;
import io.brizo.metrics.BrizoMetrics;
import io.brizo.metrics.MicrometerBinding;
import io.brizo.metrics.SignallingMetrics;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ComputeEnvironment;
import io.brizo.spi.ComputeJob;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.JobStatus;
import io.brizo.spi.LogChunk;
import io.brizo.spi.OutputFile;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageAccess;
import io.brizo.spi.StorageObject;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics over real HTTP: the JDK server binding, the file driver, the JSON catalogue and the
 * development verifier, recording in a Micrometer {@link SimpleMeterRegistry}.
 */
class HttpMetricsTest {
    static final Set<String> TAG_KEYS = Set.of("route", "method", "status", "kind", "outcome", "state");

    @TempDir
    Path dir;

    final TestKeys consumer = TestKeys.random();
    final TestKeys stranger = TestKeys.random();
    final HttpClient http = HttpClient.newHttpClient();
    final List<AutoCloseable> toClose = new ArrayList<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final SignallingMetrics metrics = new SignallingMetrics(MicrometerBinding.of(registry));
    final CapturingBackendFactory backends = new CapturingBackendFactory();
    byte[] data;
    Path dataDir;
    Settings settings;
    Brizo brizo;
    URI base;

    @BeforeEach
    void setUp() throws IOException {
        dataDir = Files.createDirectories(dir.resolve("secret-storage-dir"));
        data = new byte[100_000];
        new Random(11).nextBytes(data);
        Files.write(dataDir.resolve("sample.bin"), data);
        Path assets = dir.resolve("assets.json");
        Files.writeString(
                assets,
                JSON.writeValueAsString(Map.of(
                        DID,
                        Map.of(
                                "files",
                                List.of(Map.of(
                                        "url",
                                        dataDir.resolve("sample.bin").toUri().toString()))))));
        Path grants = dir.resolve("grants.json");
        Files.writeString(
                grants,
                JSON.writeValueAsString(List.of(Map.of(
                        "agreementId", AGREEMENT, "did", DID, "consumer", consumer.address(), "service", "access"))));
        settings = Settings.builder()
                .put("BRIZO_ASSETS", assets.toString())
                .put("BRIZO_GRANTS", grants.toString())
                .put("BRIZO_FILE_ROOTS", dataDir.toString())
                .put("BRIZO_PUBLIC_URL", "http://brizo.example:8030")
                .build();
        brizo = Brizo.builder()
                .settings(settings)
                .metrics(metrics)
                .computeBackend(backends)
                .discover()
                .build();
        base = serve(brizo);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    URI serve(Brizo b) {
        BrizoHttpServer server = BrizoHttpServer.start(b, new InetSocketAddress("127.0.0.1", 0), 4);
        toClose.add(0, b);
        toClose.add(0, server);
        return server.uri();
    }

    String consumeQuery(String agreement, TestKeys signer, TestKeys as) {
        return "serviceAgreementId=" + agreement + "&consumerAddress=" + as.address() + "&signature="
                + signer.signText(agreement) + "&index=0";
    }

    java.net.http.HttpResponse<byte[]> send(String method, URI uri, String... headers) throws Exception {
        var b = java.net.http.HttpRequest.newBuilder(uri).method(method, BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), BodyHandlers.ofByteArray());
    }

    URI consumeUri(String query) {
        return URI.create(base + BrizoHttpApi.CONSUME + "?" + query);
    }

    double requests(String route, String method, int status) {
        Counter c = registry.find("brizo.http.requests")
                .tags("route", route, "method", method, "status", Integer.toString(status))
                .counter();
        return c == null ? 0 : c.count();
    }

    double refusals(String route, String kind) {
        Counter c = registry.find("brizo.refusals")
                .tags("route", route, "kind", kind)
                .counter();
        return c == null ? 0 : c.count();
    }

    double bytes(String route) {
        Counter c = registry.find("brizo.consume.bytes").tag("route", route).counter();
        return c == null ? 0 : c.count();
    }

    double active(String route) {
        Gauge g = registry.find("brizo.downloads.active").tag("route", route).gauge();
        assertNotNull(g, "no downloads gauge for " + route);
        return g.value();
    }

    long verifications(String outcome) {
        Timer t =
                registry.find("brizo.verifier.latency").tag("outcome", outcome).timer();
        assertNotNull(t, "the verifier timer is registered for every outcome");
        return t.count();
    }

    /** Fails if any meter has a tag outside the known keys or a value holding one of {@code secrets}. */
    void assertNoTagHolds(String... secrets) {
        assertFalse(registry.getMeters().isEmpty());
        for (Meter m : registry.getMeters()) {
            for (Tag tag : m.getId().getTags()) {
                assertTrue(TAG_KEYS.contains(tag.getKey()), m.getId().toString());
                String value = tag.getValue().toLowerCase(Locale.ROOT);
                for (String secret : secrets) {
                    assertFalse(value.contains(secret.toLowerCase(Locale.ROOT)), m.getId() + " holds " + secret);
                }
                assertFalse(
                        value.contains("file:") || value.contains("did:op"),
                        m.getId().toString());
            }
        }
    }

    @Test
    void consumeCountsTheRequestItsBytesAndTheVerifiersAnswerByRouteTemplate() throws Exception {
        var r = send("GET", consumeUri(consumeQuery(AGREEMENT, consumer, consumer)));
        assertEquals(200, r.statusCode());
        assertArrayEquals(data, r.body());
        metrics.awaitDownloadsEnded(1);

        assertEquals(1, requests(BrizoHttpApi.CONSUME, "GET", 200));
        assertEquals(data.length, bytes(BrizoHttpApi.CONSUME));
        assertEquals(0, active(BrizoHttpApi.CONSUME));
        assertEquals(1, verifications("granted"));
        assertEquals(0, verifications("denied"));
        assertNull(registry.find("brizo.refusals").counter());
        assertEquals(
                "bytes", registry.find("brizo.consume.bytes").counter().getId().getBaseUnit());
        assertNoTagHolds(AGREEMENT, consumer.address(), dataDir.toString());
    }

    @Test
    void rangeAndHeadAreCountedByStatusAndOnlyWrittenBytesCount() throws Exception {
        var r = send("GET", consumeUri(consumeQuery(AGREEMENT, consumer, consumer)), "Range", "bytes=10-19");
        assertEquals(206, r.statusCode());
        metrics.awaitDownloadsEnded(1);
        var head = send("HEAD", consumeUri(consumeQuery(AGREEMENT, consumer, consumer)));
        assertEquals(200, head.statusCode());

        assertEquals(1, requests(BrizoHttpApi.CONSUME, "GET", 206));
        assertEquals(1, requests(BrizoHttpApi.CONSUME, "HEAD", 200));
        assertEquals(10, bytes(BrizoHttpApi.CONSUME));
    }

    @Test
    void refusalsAreCountedByTheirErrorKind() throws Exception {
        assertEquals(
                401,
                send("GET", consumeUri(consumeQuery(AGREEMENT, stranger, consumer)))
                        .statusCode());
        assertEquals(
                403,
                send("GET", consumeUri(consumeQuery(OTHER_AGREEMENT, consumer, consumer)))
                        .statusCode());
        assertEquals(405, send("POST", consumeUri("")).statusCode());
        assertEquals(
                404, send("GET", base.resolve("/no/such/route/" + AGREEMENT)).statusCode());
        assertEquals(
                416,
                send("GET", consumeUri(consumeQuery(AGREEMENT, consumer, consumer)), "Range", "bytes=200000-")
                        .statusCode());

        assertEquals(1, refusals(BrizoHttpApi.CONSUME, "UNAUTHENTICATED"));
        assertEquals(1, refusals(BrizoHttpApi.CONSUME, "FORBIDDEN"));
        assertEquals(1, refusals(BrizoHttpApi.CONSUME, "METHOD_NOT_ALLOWED"));
        assertEquals(1, refusals(BrizoHttpApi.CONSUME, "RANGE_NOT_SATISFIABLE"));
        assertEquals(1, refusals(BrizoHttpApi.UNKNOWN_ROUTE, "NOT_FOUND"));
        assertEquals(1, requests(BrizoHttpApi.CONSUME, "GET", 401));
        assertEquals(1, requests(BrizoHttpApi.CONSUME, "GET", 403));
        assertEquals(1, requests(BrizoHttpApi.CONSUME, "POST", 405));
        assertEquals(1, requests(BrizoHttpApi.UNKNOWN_ROUTE, "GET", 404));
        assertEquals(1, verifications("denied"));
        assertEquals(1, verifications("granted"));
        assertNoTagHolds(AGREEMENT, OTHER_AGREEMENT, consumer.address(), stranger.address(), "/no/such");
    }

    @Test
    void aMethodHttpDoesNotDefineIsTaggedOther() throws Exception {
        assertEquals(405, send("BREW", consumeUri("")).statusCode());

        assertEquals(1, requests(BrizoHttpApi.CONSUME, "OTHER", 405));
        assertNoTagHolds("BREW");
    }

    @Test
    void linkRoutesAreTaggedByTheirTemplateAndNoTagHoldsATokenOrLocation() throws Exception {
        StorageAccess access = backends.access;
        URI transfer = access.transferLink(dataDir.resolve("sample.bin").toUri(), Duration.ofMinutes(5))
                .orElseThrow();
        String transferToken = transfer.getPath().substring(transfer.getPath().lastIndexOf('/') + 1);
        URI upload = access.uploadLink(dataDir.toUri().resolve("outputs/"), Duration.ofMinutes(5), 10)
                .orElseThrow();
        String uploadToken = upload.getPath().substring(upload.getPath().lastIndexOf('/') + 1);

        var first = send("GET", base.resolve(transfer.getRawPath()));
        assertEquals(200, first.statusCode());
        assertArrayEquals(data, first.body());
        metrics.awaitDownloadsEnded(1);
        assertEquals(404, send("GET", base.resolve(transfer.getRawPath())).statusCode()); // single use
        var put = http.send(
                java.net.http.HttpRequest.newBuilder(base.resolve(upload.getRawPath() + "?name=result.txt"))
                        .PUT(BodyPublishers.ofString("42\n"))
                        .build(),
                BodyHandlers.ofByteArray());
        assertEquals(201, put.statusCode());

        assertEquals(1, requests(BrizoHttpApi.TRANSFER_ROUTE, "GET", 200));
        assertEquals(1, requests(BrizoHttpApi.TRANSFER_ROUTE, "GET", 404));
        assertEquals(1, refusals(BrizoHttpApi.TRANSFER_ROUTE, "NOT_FOUND"));
        assertEquals(1, requests(BrizoHttpApi.UPLOAD_ROUTE, "PUT", 201));
        assertEquals(data.length, bytes(BrizoHttpApi.TRANSFER_ROUTE));
        assertEquals(0, active(BrizoHttpApi.TRANSFER_ROUTE));
        assertNoTagHolds(transferToken, uploadToken, dataDir.toString(), "result.txt");
    }

    @Test
    void anAbortedDownloadCountsTheBytesWrittenBeforeTheAbort() throws Exception {
        Path assets = dir.resolve("assets-failing.json");
        Files.writeString(
                assets,
                JSON.writeValueAsString(Map.of(DID, Map.of("files", List.of(Map.of("url", "fail://x/big.bin"))))));
        Brizo failing = Brizo.builder()
                .settings(Settings.builder()
                        .put("BRIZO_ASSETS", assets.toString())
                        .put("BRIZO_GRANTS", dir.resolve("grants.json").toString())
                        .build())
                .storageDriver(new ConsumeHttpTest.FailingDriver(1_000_000, 300_000))
                .metrics(metrics)
                .discover()
                .build();
        toClose.add(failing);
        HttpResponse response = new BrizoHttpApi(failing)
                .handle(new HttpRequest(
                        "GET",
                        BrizoHttpApi.CONSUME,
                        consumeQuery(AGREEMENT, consumer, consumer),
                        Map.of(),
                        InputStream.nullInputStream()));
        assertEquals(200, response.status());
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThrows(IOException.class, () -> response.body().writeTo(out));
        assertEquals(300_000, out.size());
        assertEquals(300_000, bytes(BrizoHttpApi.CONSUME));
        assertEquals(0, active(BrizoHttpApi.CONSUME));
    }

    @Test
    void aDownloadInFlightIsCountedUntilItsBodyEnds() throws Exception {
        HttpResponse response = new BrizoHttpApi(brizo)
                .handle(new HttpRequest(
                        "GET",
                        BrizoHttpApi.CONSUME,
                        consumeQuery(AGREEMENT, consumer, consumer),
                        Map.of(),
                        InputStream.nullInputStream()));
        List<Double> seenWhileWriting = new ArrayList<>();
        response.body().writeTo(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                seenWhileWriting.add(active(BrizoHttpApi.CONSUME));
            }
        });

        assertFalse(seenWhileWriting.isEmpty());
        assertTrue(seenWhileWriting.stream().allMatch(n -> n == 1), seenWhileWriting::toString);
        assertEquals(0, active(BrizoHttpApi.CONSUME));
    }

    @Test
    void aVerifierThatFailsIsTimedAsUnavailable() throws Exception {
        Brizo broken = Brizo.builder()
                .settings(settings)
                .verifier(claim -> {
                    throw new IllegalStateException("node down");
                })
                .metrics(metrics)
                .build();
        toClose.add(broken);
        ConsumeRequest request = ConsumeRequest.builder()
                .agreementId(AGREEMENT)
                .consumerAddress(consumer.address())
                .signature(consumer.signText(AGREEMENT))
                .index(0)
                .build();

        BrizoException e = assertThrows(BrizoException.class, () -> broken.consume(request));
        assertEquals(ErrorKind.UNAVAILABLE, e.kind());
        assertEquals(1, verifications("unavailable"));
    }

    @Test
    void withoutMetricsConfiguredNothingIsRecordedAndServingWorks() throws Exception {
        Brizo plain = Brizo.builder().settings(settings).discover().build();
        assertSame(BrizoMetrics.none(), plain.metrics());
        URI plainBase = serve(plain);

        var r = send(
                "GET",
                URI.create(plainBase + BrizoHttpApi.CONSUME + "?" + consumeQuery(AGREEMENT, consumer, consumer)));
        assertEquals(200, r.statusCode());
        assertArrayEquals(data, r.body());
        assertEquals(404, send("GET", plainBase.resolve("/nope")).statusCode());
        assertEquals(0, requests(BrizoHttpApi.CONSUME, "GET", 200));
    }

    @Test
    void routeTemplatesLeaveOutTokensAndUnknownPaths() {
        assertEquals(BrizoHttpApi.TRANSFER_ROUTE, BrizoHttpApi.route(BrizoHttpApi.COMPUTE_TRANSFER + "/secret-token"));
        assertEquals(BrizoHttpApi.UPLOAD_ROUTE, BrizoHttpApi.route(BrizoHttpApi.COMPUTE_UPLOAD + "/secret-token/"));
        assertEquals(BrizoHttpApi.CONSUME, BrizoHttpApi.route(BrizoHttpApi.CONSUME + "/"));
        assertEquals("/", BrizoHttpApi.route("/"));
        assertEquals(BrizoHttpApi.UNKNOWN_ROUTE, BrizoHttpApi.route(BrizoHttpApi.COMPUTE_TRANSFER));
        assertEquals(BrizoHttpApi.UNKNOWN_ROUTE, BrizoHttpApi.route("/api/v1/brizo/services/consume/x"));
    }

    /** Makes a backend that runs nothing, keeping the storage access so a test can make links. */
    static final class CapturingBackendFactory implements ComputeBackend.Factory {
        StorageAccess access;

        @Override
        public String name() {
            return "capturing";
        }

        @Override
        public Optional<ComputeBackend> create(Settings settings, StorageAccess storage) {
            this.access = storage;
            return Optional.of(new ComputeBackend() {
                @Override
                public List<ComputeEnvironment> environments() {
                    return List.of();
                }

                @Override
                public JobStatus start(ComputeJob job) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public JobStatus status(String jobId) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public List<JobStatus> jobs(String owner, String agreementId) {
                    return List.of();
                }

                @Override
                public JobStatus stop(String jobId) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void delete(String jobId) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public LogChunk logs(String jobId, long fromOffset) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public List<OutputFile> outputs(String jobId) {
                    return List.of();
                }

                @Override
                public StorageObject openOutput(String jobId, String name) {
                    throw new UnsupportedOperationException();
                }
            });
        }
    }
}
