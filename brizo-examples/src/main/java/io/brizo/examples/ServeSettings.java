package io.brizo.examples;

import com.sun.management.UnixOperatingSystemMXBean;
import io.brizo.spi.BrizoException;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The settings {@code serve} reads itself, beside core's (BRIZO_HOST, BRIZO_PORT,
 * BRIZO_HTTP_THREADS) and the drivers'. Declared so that a properties file may hold them and
 * {@code serve --help} can list them.
 */
final class ServeSettings {
    static final SettingKey HTTP_SERVER = SettingKey.of(
            "BRIZO_HTTP_SERVER",
            "jetty",
            "jetty, or jdk for the JDK's built-in server (core's zero-dependency binding): the API only, on"
                    + " BRIZO_HOST, BRIZO_PORT, BRIZO_HTTP_THREADS and BRIZO_HEADER_TIMEOUT; no TLS, CORS, /health,"
                    + " /ready, /metrics, access log, connection limit or drain (SIGTERM cuts downloads off)");
    static final SettingKey TLS_CERT = SettingKey.of(
            "BRIZO_TLS_CERT",
            null,
            "PEM file with the server's certificate chain (leaf first); with BRIZO_TLS_KEY turns on HTTPS on"
                    + " BRIZO_PORT");
    // The names below contain KEY, so Settings.isSecretName masks their values: declared secret to agree.
    static final SettingKey TLS_KEY = new SettingKey(
            "BRIZO_TLS_KEY",
            null,
            true,
            "PEM file with the certificate's unencrypted PKCS#8 private key (-----BEGIN PRIVATE KEY-----, RSA, EC"
                    + " or Ed25519)");
    static final SettingKey TLS_KEYSTORE = new SettingKey(
            "BRIZO_TLS_KEYSTORE",
            null,
            true,
            "PKCS12 file with the server's key and certificate chain, instead of BRIZO_TLS_CERT and BRIZO_TLS_KEY");
    static final SettingKey TLS_KEYSTORE_PASSWORD =
            SettingKey.secret("BRIZO_TLS_KEYSTORE_PASSWORD", "password of BRIZO_TLS_KEYSTORE and of its key");
    static final SettingKey HTTP_PORT = SettingKey.of(
            "BRIZO_HTTP_PORT",
            null,
            "with TLS on, also serve plain HTTP on this port (for a TLS-terminating proxy in front); 0 picks a free"
                    + " port");
    static final SettingKey IDLE_TIMEOUT = SettingKey.of(
            "BRIZO_IDLE_TIMEOUT",
            "30s",
            "close a connection that neither sends nor takes a byte for this long (a stalled download is cut"
                    + " off; a slow one that keeps reading is not)");
    static final SettingKey HEADER_TIMEOUT = SettingKey.of(
            "BRIZO_HEADER_TIMEOUT",
            "10s",
            "close a connection whose request headers (TLS handshake included) are not complete this long after it"
                    + " opened or, on HTTP/1, after its previous answer, however slowly it trickles bytes (slowloris)");
    static final SettingKey MAX_CONNECTIONS = SettingKey.of(
            "BRIZO_MAX_CONNECTIONS",
            null,
            "open connections at most; beyond it the server stops accepting until one closes. Unset: one per"
                    + " 48 KiB of the maximum heap (1,365 with -Xmx64m), at most 10,000 and at most the open-files"
                    + " limit less 256, so that stalled downloads (about 25 KiB of heap each) cannot exhaust the"
                    + " heap or the file descriptors");
    static final SettingKey MAX_HEADER_SIZE = SettingKey.of(
            "BRIZO_MAX_HEADER_SIZE", "8192", "largest request line and headers in bytes; larger ones get 431");
    static final SettingKey CORS_ORIGINS = SettingKey.of(
            "BRIZO_CORS_ORIGINS",
            null,
            "comma-separated origins (https://app.example) browsers may call from, or *; unset = no CORS headers");
    static final SettingKey METRICS =
            SettingKey.of("BRIZO_METRICS", "false", "serve Prometheus metrics at GET /metrics");
    static final SettingKey DRAIN_TIMEOUT = SettingKey.of(
            "BRIZO_DRAIN_TIMEOUT",
            "30s",
            "on SIGTERM stop accepting and let requests in flight finish for up to this long, then close");

    static final List<SettingKey> ALL = List.of(
            HTTP_SERVER,
            TLS_CERT,
            TLS_KEY,
            TLS_KEYSTORE,
            TLS_KEYSTORE_PASSWORD,
            HTTP_PORT,
            IDLE_TIMEOUT,
            HEADER_TIMEOUT,
            MAX_CONNECTIONS,
            MAX_HEADER_SIZE,
            CORS_ORIGINS,
            METRICS,
            DRAIN_TIMEOUT);

    private static final Pattern ORIGIN = Pattern.compile("https?://([A-Za-z0-9.-]+|\\[[0-9a-fA-F:]+])(:\\d{1,5})?");

    private ServeSettings() {}

    /**
     * What {@code serve} runs with, validated.
     *
     * @param host the address to bind
     * @param port the main port (HTTPS if {@code tls} is set)
     * @param httpPort the extra plain-HTTP port beside TLS, or -1
     * @param threads the most worker threads
     * @param tls the server's key and certificate, or null for plain HTTP
     * @param corsOrigins exact origins, or {@code *}; empty = no CORS
     */
    record Config(
            boolean jdkServer,
            String host,
            int port,
            int httpPort,
            int threads,
            Tls.Identity tls,
            Duration idleTimeout,
            Duration headerTimeout,
            int maxConnections,
            int maxHeaderSize,
            Set<String> corsOrigins,
            boolean metrics,
            Duration drainTimeout) {}

    /**
     * {@return the validated configuration}
     *
     * @throws BrizoException of kind CONFIGURATION naming the setting at fault
     */
    static Config config(Settings s) {
        String host = s.get("BRIZO_HOST", "127.0.0.1").trim();
        int port = s.getInt("BRIZO_PORT", 8030, 0, 65535);
        int threads = s.getInt("BRIZO_HTTP_THREADS", 64, 4, 10_000);
        Tls.Identity tls = Tls.identity(s);
        int httpPort = s.has(HTTP_PORT.name()) ? s.getInt(HTTP_PORT.name(), -1, 0, 65535) : -1;
        if (httpPort >= 0 && tls == null) {
            throw BrizoException.configuration(HTTP_PORT.name() + " is for a plain-HTTP port beside TLS; without"
                    + " TLS, set BRIZO_PORT instead (or configure BRIZO_TLS_CERT and BRIZO_TLS_KEY)");
        }
        Duration idle = positive(s, IDLE_TIMEOUT, Duration.ofSeconds(30));
        Duration header = positive(s, HEADER_TIMEOUT, Duration.ofSeconds(10));
        int maxConnections = s.has(MAX_CONNECTIONS.name())
                ? s.getInt(MAX_CONNECTIONS.name(), 0, 1, 1_000_000)
                : defaultMaxConnections(Runtime.getRuntime().maxMemory(), openFilesLimit());
        int maxHeader = s.getInt(MAX_HEADER_SIZE.name(), 8192, 1024, 1024 * 1024);
        Set<String> origins = new LinkedHashSet<>();
        for (String o : s.getList(CORS_ORIGINS.name(), ",")) {
            String origin = o.trim();
            if (origin.isEmpty()) {
                continue;
            }
            if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
                throw s.malformed(
                        CORS_ORIGINS.name(),
                        "comma-separated origins such as https://app.example or http://localhost:3000 (scheme, host"
                                + " and port only, no path), or *");
            }
            origins.add(origin.toLowerCase(Locale.ROOT));
        }
        boolean metrics = s.getBoolean(METRICS.name(), false);
        Duration drain = s.getDuration(DRAIN_TIMEOUT.name(), Duration.ofSeconds(30));
        boolean jdk = jdkServer(s);
        if (jdk) {
            for (SettingKey jettyOnly :
                    List.of(TLS_CERT, TLS_KEY, TLS_KEYSTORE, HTTP_PORT, CORS_ORIGINS, METRICS, MAX_CONNECTIONS)) {
                if (s.has(jettyOnly.name())) {
                    throw BrizoException.configuration(jettyOnly.name() + " needs " + HTTP_SERVER.name()
                            + "=jetty; the JDK server (" + HTTP_SERVER.name() + "=jdk) serves the API only");
                }
            }
        }
        return new Config(
                jdk,
                host,
                port,
                httpPort,
                threads,
                tls,
                idle,
                header,
                maxConnections,
                maxHeader,
                origins,
                metrics,
                drain);
    }

    private static boolean jdkServer(Settings s) {
        String server = s.get(HTTP_SERVER.name(), "jetty").trim().toLowerCase(Locale.ROOT);
        return switch (server) {
            case "jetty" -> false;
            case "jdk" -> true;
            default -> throw s.malformed(HTTP_SERVER.name(), "jetty or jdk");
        };
    }

    private static Duration positive(Settings s, SettingKey key, Duration dflt) {
        Duration d = s.getDuration(key.name(), dflt);
        if (d.isZero() || d.isNegative()) {
            throw s.malformed(key.name(), "a positive duration such as 30s or 2m");
        }
        return d;
    }

    /**
     * {@return the connection limit when none is set} A stalled download holds about 25 KiB of
     * heap (its copy buffer and Jetty's connection state; measured with 1,000 clients reading a
     * byte a second), so one connection per 48 KiB of heap leaves room for the rest of the server.
     */
    static int defaultMaxConnections(long maxHeapBytes, long openFilesLimit) {
        long byHeap = maxHeapBytes / (48 * 1024);
        long byFiles = openFilesLimit > 0 ? openFilesLimit - 256 : Long.MAX_VALUE;
        return (int) Math.max(16, Math.min(10_000, Math.min(byHeap, byFiles)));
    }

    /** {@return this process's open-files limit, or -1 if the platform does not say} */
    private static long openFilesLimit() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
                ? unix.getMaxFileDescriptorCount()
                : -1;
    }
}
