package io.brizo.compute.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.Brizo;
import io.brizo.http.BrizoHttpApi;
import io.brizo.http.BrizoHttpServer;
import io.brizo.spi.Settings;
import io.brizo.storage.s3.S3ProxyServer;
import io.brizo.testkit.Polling;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Finished jobs' outputs and logs in the publisher's storage ({@code BRIZO_COMPUTE_OUTPUT_LOCATION}),
 * a real S3 server (S3Proxy on 127.0.0.1) and a {@code file:} directory, and their expiry ({@code
 * BRIZO_COMPUTE_RETENTION}), through the HTTP API with sandboxed algorithms.
 */
class OutputLocationHttpTest extends ComputeHttpFixture {
    /** Binary outputs of several sizes, one in a sub-folder, and a log line. */
    static final String WRITE_OUTPUTS = "head -c 300000 /dev/urandom > \"$OUTPUTS/random.bin\";"
            + " mkdir \"$OUTPUTS/sub\"; printf 'a b\\n' > \"$OUTPUTS/sub/small.txt\";"
            + " : > \"$OUTPUTS/empty\"; echo wrote the outputs";

    @TempDir
    static Path s3Dir;

    static S3ProxyServer s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyServer.startInMemory(s3Dir);
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) {
            s3.close();
        }
    }

    /** A running publisher, which the test may close to restart it. */
    record Publisher(URI uri, AutoCloseable server, AutoCloseable brizo) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            server.close();
            brizo.close();
        }
    }

    Publisher publisher(Path jobs, Map<String, String> extra) throws Exception {
        Settings.Builder s = Settings.builder()
                .put("BRIZO_ASSETS", dir.resolve("assets.json").toString())
                .put("BRIZO_GRANTS", dir.resolve("grants.json").toString())
                .put("BRIZO_RELOAD_INTERVAL", "0")
                .put("BRIZO_FILE_ROOTS", dataDir.toString())
                .put("BRIZO_COMPUTE_DIR", jobs.toString())
                .put("BRIZO_COMPUTE_COMMANDS", "sh=/bin/sh")
                .put("BRIZO_COMPUTE_ALLOW_RAW_ALGORITHMS", "true");
        extra.forEach(s::put);
        Brizo brizo = Brizo.builder().settings(s.build()).discover().build();
        BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 4);
        Publisher p = new Publisher(server.uri(), server::close, brizo);
        toClose.add(0, p);
        return p;
    }

    /** {@return the S3 driver's settings and an output location in a new bucket} */
    static Map<String, String> s3Settings(String bucket) {
        Map<String, String> m = new HashMap<>();
        m.put("S3_ENDPOINT", s3.endpoint().toString());
        m.put("AWS_REGION", S3ProxyServer.REGION);
        m.put("AWS_ACCESS_KEY", s3.identity());
        m.put("AWS_SECRET_KEY", s3.credential());
        m.put("BRIZO_COMPUTE_OUTPUT_LOCATION", "s3://" + bucket + "/brizo-jobs");
        return m;
    }

    static String newBucket() {
        String bucket = "outputs-" + UUID.randomUUID().toString().substring(0, 8);
        s3.client().createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    static List<String> keys(String bucket, String prefix) {
        return s3.client().listObjectsV2(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key)
                .sorted()
                .toList();
    }

    Path newJobsDir() throws Exception {
        return Files.createTempDirectory(dir, "jobs");
    }

    String runJob(URI root, String script, String expectedState) throws Exception {
        String jobId = startJob(root, consumer, Map.of("algorithmMeta", meta(script)), 200)
                .get("jobId")
                .asText();
        awaitStatus(root, jobId, state(expectedState));
        return jobId;
    }

    /** {@return the job directory's files, the backend's own folder left out} */
    static List<String> jobFiles(Path jobDir) throws Exception {
        try (Stream<Path> files = Files.walk(jobDir)) {
            return files.filter(p -> !p.equals(jobDir))
                    .map(p -> jobDir.relativize(p).toString())
                    .filter(p -> !p.startsWith(JobLayout.BRIZO))
                    .toList();
        }
    }

    @Test
    void outputsAndLogLandInAnS3OutputLocationAndDownloadByteForByte() throws Exception {
        String bucket = newBucket();
        Path jobs = newJobsDir();
        Publisher p = publisher(jobs, s3Settings(bucket));
        String jobId = runJob(p.uri(), WRITE_OUTPUTS, "SUCCEEDED");

        String prefix = "brizo-jobs/" + jobId + "/";
        assertEquals(
                List.of(
                        prefix + "logs/algorithm.log",
                        prefix + "outputs/empty",
                        prefix + "outputs/random.bin",
                        prefix + "outputs/sub/small.txt"),
                keys(bucket, prefix));
        assertEquals(List.of(), jobFiles(jobs.resolve(jobId)), "the job's directory is emptied");

        JsonNode done = status(p.uri(), jobId);
        List<String> names = new ArrayList<>();
        done.get("results").forEach(r -> names.add(r.get("name").asText()));
        assertEquals(List.of("empty", "random.bin", "sub/small.txt"), names);
        assertEquals(300000, done.get("results").get(1).get("size").asLong());
        for (int i = 0; i < names.size(); i++) {
            String key = prefix + "outputs/" + names.get(i);
            byte[] stored =
                    s3.client().getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
            HttpResponse<byte[]> r = result(p.uri(), consumer, jobId, i);
            assertEquals(200, r.statusCode(), names.get(i));
            assertArrayEquals(stored, r.body(), names.get(i));
        }
        assertTrue(logs(p.uri(), jobId, 0).contains("wrote the outputs"));
        assertEquals("", logs(p.uri(), jobId, 1000), "past the end of the stored log");

        // A restarted server serves them from the output location as well.
        p.close();
        toClose.remove(p);
        Publisher again = publisher(jobs, s3Settings(bucket));
        HttpResponse<byte[]> r = result(again.uri(), consumer, jobId, 2);
        assertEquals("a b\n", new String(r.body(), StandardCharsets.UTF_8));
        assertTrue(logs(again.uri(), jobId, 0).contains("wrote the outputs"));

        // Deleting the job deletes them there.
        HttpResponse<byte[]> deleted = send(again.uri(), "DELETE", BrizoHttpApi.COMPUTE, jobParams(consumer, jobId));
        assertEquals(200, deleted.statusCode(), new String(deleted.body(), StandardCharsets.UTF_8));
        assertEquals(List.of(), keys(bucket, prefix));
        assertEquals(404, result(again.uri(), consumer, jobId, 0).statusCode());
    }

    @Test
    void outputsLandInAFileOutputLocation() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        Path jobs = newJobsDir();
        Publisher p = publisher(
                jobs,
                Map.of(
                        "BRIZO_FILE_ROOTS",
                        dataDir + ":" + store,
                        "BRIZO_COMPUTE_OUTPUT_LOCATION",
                        store.resolve("jobs").toUri().toString()));
        String jobId = runJob(p.uri(), WRITE_OUTPUTS, "SUCCEEDED");
        Path stored = store.resolve("jobs").resolve(jobId);
        assertTrue(Files.isRegularFile(stored.resolve("logs/algorithm.log")));
        assertEquals(List.of(), jobFiles(jobs.resolve(jobId)));
        HttpResponse<byte[]> r = result(p.uri(), consumer, jobId, 1);
        assertEquals(200, r.statusCode());
        assertArrayEquals(Files.readAllBytes(stored.resolve("outputs/random.bin")), r.body());
        assertTrue(logs(p.uri(), jobId, 0).contains("wrote the outputs"));
    }

    @Test
    void whenTheOutputLocationFailsTheJobFailsAndKeepsItsOutputsHereWithoutNamingTheLocation() throws Exception {
        String missingBucket = "no-such-bucket-" + UUID.randomUUID().toString().substring(0, 8);
        Path jobs = newJobsDir();
        Publisher p = publisher(jobs, s3Settings(missingBucket));
        String jobId = runJob(p.uri(), WRITE_OUTPUTS, "FAILED");
        JsonNode s = status(p.uri(), jobId);
        String message = s.get("message").asText();
        assertTrue(message.contains("storing its outputs in the publisher's storage failed"), message);
        assertEquals(0, s.get("exitCode").asInt());
        for (String secret : List.of(missingBucket, s3.endpoint().toString(), s3.identity(), jobs.toString())) {
            assertFalse(s.toString().contains(secret), s.toString());
        }
        HttpResponse<byte[]> r = result(p.uri(), consumer, jobId, 2);
        assertEquals("a b\n", new String(r.body(), StandardCharsets.UTF_8));
    }

    @Test
    void anExpiredJobAnswers404AndItsStoredOutputsAreDeleted() throws Exception {
        String bucket = newBucket();
        Path jobs = newJobsDir();
        Map<String, String> settings = s3Settings(bucket);
        settings.put("BRIZO_COMPUTE_RETENTION", "2s");
        Publisher p = publisher(jobs, settings);
        String jobId = runJob(p.uri(), WRITE_OUTPUTS, "SUCCEEDED");
        assertFalse(keys(bucket, "brizo-jobs/" + jobId + "/").isEmpty());

        Polling.until(
                Duration.ofSeconds(20),
                () -> send(p.uri(), "GET", BrizoHttpApi.COMPUTE, jobParams(consumer, jobId)),
                r -> r.statusCode() == 404,
                r -> "the job did not expire: " + new String(r.body(), StandardCharsets.UTF_8));
        HttpResponse<byte[]> status = send(p.uri(), "GET", BrizoHttpApi.COMPUTE, jobParams(consumer, jobId));
        assertEquals("NOT_FOUND", JSON.readTree(status.body()).get("error").asText());
        assertEquals(404, result(p.uri(), consumer, jobId, 0).statusCode());
        assertEquals(List.of(), keys(bucket, "brizo-jobs/" + jobId + "/"));
        assertFalse(Files.exists(jobs.resolve(jobId)));
    }

    @Test
    void theTombstoneOfADeletedJobExpires() throws Exception {
        Path jobs = newJobsDir();
        Publisher p = publisher(jobs, Map.of("BRIZO_COMPUTE_RETENTION", "2s"));
        String jobId = runJob(p.uri(), "sleep 30", "RUNNING");
        assertEquals(
                200,
                send(p.uri(), "DELETE", BrizoHttpApi.COMPUTE, jobParams(consumer, jobId))
                        .statusCode());
        assertEquals("DELETED", status(p.uri(), jobId).get("state").asText());
        Polling.until(
                Duration.ofSeconds(20),
                () -> send(p.uri(), "GET", BrizoHttpApi.COMPUTE, jobParams(consumer, jobId))
                        .statusCode(),
                code -> code == 404,
                code -> "the tombstone did not expire: " + code);
        assertFalse(Files.exists(jobs.resolve(jobId)));
    }

    @Test
    void jobsPastTheRetentionAreRemovedWhenTheServerStarts() throws Exception {
        Path jobs = newJobsDir();
        Publisher p = publisher(jobs, Map.of());
        String jobId = runJob(p.uri(), "echo kept", "SUCCEEDED");
        p.close();
        toClose.remove(p);
        Publisher again = publisher(jobs, Map.of("BRIZO_COMPUTE_RETENTION", "1ms"));
        assertEquals(
                404,
                send(again.uri(), "GET", BrizoHttpApi.COMPUTE, jobParams(consumer, jobId))
                        .statusCode());
        assertFalse(Files.exists(jobs.resolve(jobId)));
    }

    @Test
    void aMalformedOutputLocationOrRetentionFailsAtStartNamingTheSetting() throws Exception {
        Path jobs = newJobsDir();
        for (Map.Entry<String, String> bad : Map.of(
                        "BRIZO_COMPUTE_OUTPUT_LOCATION", "relative/path",
                        "BRIZO_COMPUTE_RETENTION", "0")
                .entrySet()) {
            Exception e = assertThrows(Exception.class, () -> publisher(jobs, Map.of(bad.getKey(), bad.getValue())));
            assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
        }
    }
}
