package io.brizo.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.Brizo;
import io.brizo.http.BrizoHttpApi;
import io.brizo.http.BrizoHttpServer;
import io.brizo.spi.Settings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * The end-to-end demo: a publisher with a sample dataset, a consumer with a fresh key, and a
 * consume round trip over HTTP (whole file and a range), checked byte for byte; then a compute
 * job next to the data, its output, and its signed receipt, verified.
 */
final class Demo {
    private static final String AGREEMENT = "0123456789abcdef".repeat(4);
    private static final String DID = "did:op:" + "d1".repeat(32);
    private static final String COMPUTE_AGREEMENT = "fedcba9876543210".repeat(4);
    private static final String ALGORITHM_DID = "did:op:" + "a1".repeat(32);
    // Runs as a local /bin/sh process next to the data; sees the dataset in the Ocean layout.
    private static final String COUNT_LINES = String.join(
            "\n",
            "for f in \"$INPUTS\"/*/0; do",
            "  echo \"counting the lines of the dataset ($(wc -c < \"$f\") bytes)\"",
            "  n=$(wc -l < \"$f\" | tr -d ' ')",
            "  echo \"found $n lines\"",
            "  echo \"$n\" > \"$OUTPUTS/line-count.txt\"",
            "done",
            "");

    private static final ObjectMapper JSON = new ObjectMapper();

    private Demo() {}

    static int run(PrintStream out) throws Exception {
        Path work = Files.createTempDirectory("brizo-demo");
        try {
            return run(out, work);
        } finally {
            deleteTree(work);
        }
    }

    /**
     * {@return whether the compute job can run in the bubblewrap sandbox here} Without {@code bwrap}
     * the demo says so and runs it unsandboxed, as a plain process: fine for its own trusted
     * algorithm, never for a consumer's.
     */
    private static boolean sandboxed(PrintStream out, Path work) throws IOException {
        String path = System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/bin";
        boolean found = Arrays.stream(path.split(":"))
                .filter(d -> !d.isEmpty())
                .anyMatch(d -> Files.isExecutable(Path.of(d, "bwrap")));
        if (!found) {
            out.println("Publisher: bubblewrap (bwrap) is not installed, so the compute job runs UNSANDBOXED,"
                    + " as a plain process with this user's rights; install the package bubblewrap to run it in"
                    + " the sandbox (no network, only its own /data, an unprivileged user, limits).");
            return false;
        }
        // The sandbox user must be able to traverse to the job's folders.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        out.println("Publisher: the compute job runs in a bubblewrap sandbox (no network, only its own /data,"
                + " an unprivileged user, limits).");
        return true;
    }

    private static int run(PrintStream out, Path work) throws Exception {
        // 1. The publisher's private storage: a directory the consumer never learns about.
        Path storage = Files.createDirectories(work.resolve("storage"));
        Path dataset = storage.resolve("weather.csv");
        byte[] content = sampleCsv(2_000_000);
        Files.write(dataset, content);
        out.printf("Publisher: created a %,d-byte dataset in private storage.%n", content.length);

        // 2. The consumer's key, and a grant as the chain would record it after purchase.
        ECKeyPair consumerKey = Keys.createEcKeyPair();
        String consumer = SignCommand.address(consumerKey);
        Path algorithm = Files.writeString(storage.resolve("count-lines.sh"), COUNT_LINES);
        Path assets = Files.writeString(
                work.resolve("assets.json"),
                "{\"" + DID + "\": {\"files\": [{\"url\": \"" + dataset.toUri()
                        + "\", \"contentType\": \"text/csv\"}]}," + " \"" + ALGORITHM_DID
                        + "\": {\"files\": [{\"url\": \"" + algorithm.toUri()
                        + "\"}], \"algorithm\": {\"language\": \"sh\","
                        + " \"container\": {\"image\": \"sh\", \"entrypoint\": \"sh $ALGO\"}}}}");
        Path grants = Files.writeString(
                work.resolve("grants.json"),
                "[{\"agreementId\": \"" + AGREEMENT + "\", \"did\": \"" + DID + "\", \"consumer\": \"" + consumer
                        + "\", \"service\": \"access\"}, {\"agreementId\": \"" + COMPUTE_AGREEMENT + "\", \"did\": \""
                        + DID + "\", \"consumer\": \"" + consumer + "\", \"service\": \"compute\"}]");
        out.printf(
                "Consumer: generated key %s; agreement %s grants it access to %s, agreement %s lets it compute on it.%n",
                consumer, AGREEMENT, DID, COMPUTE_AGREEMENT);

        // The provider's key: it signs the receipts of compute jobs.
        ECKeyPair providerKey = Keys.createEcKeyPair();
        String provider = SignCommand.address(providerKey);
        out.printf("Publisher: generated provider key %s; it signs the receipts of compute jobs.%n", provider);

        // 3. The embedded publisher on a free port of 127.0.0.1.
        Settings settings = Settings.builder()
                .put("PROVIDER_KEY", String.format("0x%064x", providerKey.getPrivateKey()))
                .put("BRIZO_ASSETS", assets.toString())
                .put("BRIZO_GRANTS", grants.toString())
                .put("BRIZO_FILE_ROOTS", storage.toString())
                .put(
                        "BRIZO_COMPUTE_DIR",
                        Files.createDirectories(work.resolve("jobs")).toString())
                .put("BRIZO_COMPUTE_COMMANDS", "sh=/bin/sh")
                .put("BRIZO_COMPUTE_UNSANDBOXED", Boolean.toString(!sandboxed(out, work)))
                .build();
        try (Brizo brizo = Brizo.builder().settings(settings).discover().build();
                BrizoHttpServer server = BrizoHttpServer.start(brizo, new InetSocketAddress("127.0.0.1", 0), 4)) {
            out.printf("Publisher: Brizo listening on %s%n", server.uri());

            // 4. The consumer signs the agreement id (EIP-191 personal sign) and downloads.
            String signature = SignCommand.sign(consumerKey, AGREEMENT);
            URI consume = URI.create(server.uri() + BrizoHttpApi.CONSUME + "?serviceAgreementId=" + AGREEMENT
                    + "&consumerAddress=" + consumer + "&signature=" + signature + "&index=0");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<byte[]> whole =
                    http.send(HttpRequest.newBuilder(consume).build(), HttpResponse.BodyHandlers.ofByteArray());
            boolean wholeOk = whole.statusCode() == 200 && Arrays.equals(whole.body(), content);
            out.printf(
                    "Consumer: GET the whole file -> HTTP %d, %,d bytes, SHA-256 %s %s.%n",
                    whole.statusCode(),
                    whole.body().length,
                    sha256(whole.body()).substring(0, 16) + "...",
                    wholeOk ? "matches the publisher's file" : "DOES NOT MATCH");

            HttpResponse<byte[]> part = http.send(
                    HttpRequest.newBuilder(consume)
                            .header("Range", "bytes=1000-1999")
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            boolean partOk = part.statusCode() == 206
                    && Arrays.equals(part.body(), Arrays.copyOfRange(content, 1000, 2000))
                    && "bytes 1000-1999/2000000"
                            .equals(part.headers().firstValue("Content-Range").orElse(""));
            out.printf(
                    "Consumer: GET bytes 1000-1999 -> HTTP %d, Content-Range %s, %s.%n",
                    part.statusCode(),
                    part.headers().firstValue("Content-Range").orElse("(none)"),
                    partOk ? "the right 1,000 bytes" : "WRONG BYTES");

            String leak = whole.headers().map().toString() + new String(part.body(), StandardCharsets.ISO_8859_1);
            boolean noLeak = !leak.contains(storage.toString());
            HttpResponse<String> stranger = http.send(
                    HttpRequest.newBuilder(URI.create(consume.toString().replace(consumer, "0x" + "00".repeat(20))))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            boolean refused = stranger.statusCode() == 401;
            out.printf(
                    "Stranger: the same signature with another address -> HTTP %d %s.%n",
                    stranger.statusCode(), refused ? "(refused, as it must be)" : "(NOT REFUSED)");

            boolean computeOk = compute(out, http, server.uri(), consumerKey, consumer, content, provider, work);

            if (wholeOk && partOk && noLeak && refused && computeOk) {
                out.println("Demo succeeded: the consumer got exactly the publisher's bytes, never saw where they are"
                        + " stored, and got only the output of its computation on them.");
                return 0;
            }
            out.println("Demo FAILED: see the lines above.");
            return 1;
        }
    }

    /** Runs the line-count algorithm next to the data, printing its log as it runs, then its output. */
    private static boolean compute(
            PrintStream out,
            HttpClient http,
            URI base,
            ECKeyPair key,
            String consumer,
            byte[] dataset,
            String provider,
            Path work)
            throws Exception {
        URI start = URI.create(base + BrizoHttpApi.COMPUTE + "?serviceAgreementId=" + COMPUTE_AGREEMENT
                + "&consumerAddress=" + consumer + "&signature=" + SignCommand.sign(key, consumer + COMPUTE_AGREEMENT)
                + "&algorithmDid=" + ALGORITHM_DID);
        HttpResponse<String> started = http.send(
                HttpRequest.newBuilder(start)
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (started.statusCode() != 200) {
            out.printf("Consumer: starting the compute job failed: HTTP %d %s%n", started.statusCode(), started.body());
            return false;
        }
        String jobId = JSON.readTree(started.body()).get(0).get("jobId").asText();
        out.printf("Consumer: started compute job %s with the published algorithm %s.%n", jobId, ALGORITHM_DID);
        String auth = "&consumerAddress=" + consumer + "&jobId=" + jobId + "&signature="
                + SignCommand.sign(key, consumer + jobId);
        long offset = 0;
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        String state = "";
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<byte[]> log = http.send(
                    HttpRequest.newBuilder(URI.create(base + BrizoHttpApi.COMPUTE_LOGS + "?offset=" + offset + auth))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (log.statusCode() == 200) {
                logBytes.write(log.body());
            }
            for (String line : new String(log.body(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isEmpty()) {
                    out.println("  job log | " + line);
                }
            }
            offset =
                    Long.parseLong(log.headers().firstValue("X-Log-Next-Offset").orElse(Long.toString(offset)));
            boolean complete = Boolean.parseBoolean(
                    log.headers().firstValue("X-Log-Complete").orElse("false"));
            HttpResponse<String> status = http.send(
                    HttpRequest.newBuilder(URI.create(base + BrizoHttpApi.COMPUTE + "?" + auth.substring(1)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            state = JSON.readTree(status.body()).get(0).get("state").asText();
            if (complete
                    && !state.isEmpty()
                    && !List.of("QUEUED", "PROVISIONING", "RUNNING", "PUBLISHING")
                            .contains(state)) {
                break;
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
        out.printf("Consumer: job %s ended %s.%n", jobId, state);
        if (!"SUCCEEDED".equals(state)) {
            return false;
        }
        HttpResponse<String> result = http.send(
                HttpRequest.newBuilder(URI.create(base + BrizoHttpApi.COMPUTE_RESULT + "?index=0" + auth))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        long expected = new String(dataset, StandardCharsets.US_ASCII)
                .chars()
                .filter(c -> c == '\n')
                .count();
        boolean ok = result.statusCode() == 200 && result.body().trim().equals(Long.toString(expected));
        out.printf(
                "Consumer: output line-count.txt says %s lines; %s.%n",
                result.body().trim(), ok ? "that is right" : "EXPECTED " + expected);
        return ok & receipt(out, http, base, auth, jobId, provider, work, logBytes.toByteArray());
    }

    /**
     * Fetches the job's signed receipt, prints it, and verifies it as {@code verify-receipt} does:
     * the signature against the provider address configured above, every output's SHA-256 against
     * the outputs downloaded through the API, and the log's against the log read while it ran.
     */
    private static boolean receipt(
            PrintStream out,
            HttpClient http,
            URI base,
            String auth,
            String jobId,
            String provider,
            Path work,
            byte[] log)
            throws Exception {
        HttpRequest get = HttpRequest.newBuilder(
                        URI.create(base + BrizoHttpApi.COMPUTE_RECEIPT + "?" + auth.substring(1)))
                .build();
        HttpResponse<byte[]> receipt = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
        // The job has ended; give a backend that records its evidence just after a moment to do so.
        for (int i = 0; i < 20 && receipt.statusCode() == 404; i++) {
            LockSupport.parkNanos(Duration.ofMillis(250).toNanos());
            receipt = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
        }
        if (receipt.statusCode() != 200) {
            out.printf(
                    "Consumer: no receipt for job %s: HTTP %d %s%n",
                    jobId, receipt.statusCode(), new String(receipt.body(), StandardCharsets.UTF_8));
            return false;
        }
        Path folder = Files.createDirectories(work.resolve("downloaded"));
        Path receiptFile = Files.write(folder.resolve("receipt.json"), receipt.body());
        out.println("Consumer: the job's receipt, signed by the provider:");
        for (String line : JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsString(JSON.readTree(receipt.body()))
                .split("\n")) {
            out.println("  receipt | " + line);
        }
        // Every output of the job, downloaded through the API, next to each other as the receipt names them.
        Path outputs = Files.createDirectories(folder.resolve("outputs"));
        JsonNode status = JSON.readTree(http.send(
                                HttpRequest.newBuilder(
                                                URI.create(base + BrizoHttpApi.COMPUTE + "?" + auth.substring(1)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body())
                .get(0);
        for (JsonNode r : status.path("results")) {
            Path file = outputs.resolve(r.get("name").asText()).normalize();
            if (!file.startsWith(outputs)) {
                out.printf("Consumer: the output name %s leaves the outputs folder.%n", r.get("name"));
                return false;
            }
            Files.createDirectories(file.getParent());
            HttpResponse<Path> got = http.send(
                    HttpRequest.newBuilder(URI.create(base + BrizoHttpApi.COMPUTE_RESULT + "?index="
                                    + r.get("index").asInt() + auth))
                            .build(),
                    HttpResponse.BodyHandlers.ofFile(file));
            if (got.statusCode() != 200) {
                out.printf("Consumer: downloading output %s failed: HTTP %d%n", r.get("name"), got.statusCode());
                return false;
            }
        }
        Path logFile = Files.write(folder.resolve("algorithm.log"), log);
        out.printf(
                "Consumer: verify-receipt receipt.json --provider %s --outputs outputs --log algorithm.log%n",
                provider);
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        PrintStream to = new PrintStream(report, true, StandardCharsets.UTF_8);
        int code = VerifyReceiptCommand.run(
                new String[] {
                    receiptFile.toString(),
                    "--provider",
                    provider,
                    "--outputs",
                    outputs.toString(),
                    "--log",
                    logFile.toString()
                },
                to,
                to);
        for (String line : report.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                out.println("  verify-receipt | " + line);
            }
        }
        out.printf(
                "Consumer: the receipt %s.%n",
                code == 0
                        ? "verifies: signed by the provider, and every output and the log match their hashes"
                        : "DOES NOT VERIFY");
        return code == 0;
    }

    private static byte[] sampleCsv(int size) {
        StringBuilder sb = new StringBuilder("day,station,temperature\n");
        Random random = new Random(2026);
        for (int day = 0; sb.length() < size; day++) {
            sb.append(day)
                    .append(",st-")
                    .append(day % 17)
                    .append(',')
                    .append(String.format(java.util.Locale.ROOT, "%.1f", random.nextGaussian() * 8 + 12))
                    .append('\n');
        }
        return sb.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
