package io.brizo.storage.s3;

import io.brizo.spi.BrizoException;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Creates the {@code s3} storage driver for {@code s3://bucket/key} locations on Amazon S3 and
 * S3-compatible stores (MinIO, Ceph, S3Proxy, ...), with the AWS SDK for Java v2.
 *
 * <p><b>When it is configured.</b> {@value #ENABLED}{@code =true} turns the driver on and
 * {@code false} off. Unset, the driver is on as soon as any S3 setting of this factory is set
 * ({@value #ENDPOINT}, {@value #ACCESS_KEY}, {@value #SECRET_KEY}, {@value #PATH_STYLE} or
 * another {@code S3_*} setting), and off otherwise: {@value #REGION} alone does not count, as
 * AWS platforms set it for every process. So a plain {@code discover()} on a machine without
 * S3 settings gets no S3 driver, and nothing touches the AWS credential chain.
 *
 * <p><b>No network at creation.</b> The region is always set explicitly (default {@code
 * us-east-1}), so the SDK never asks the instance metadata service for one; without explicit
 * keys, the AWS default credential chain is resolved at the first request, not here.
 *
 * <p>Settings are checked strictly: a malformed value fails with a CONFIGURATION error naming the
 * setting. Secret values and the endpoint are never printed.
 *
 * <p>Found through {@link java.util.ServiceLoader}; public only for that reason and its setting
 * names.
 */
public final class S3StorageDriverFactory implements StorageDriver.Factory {
    /** {@code true} turns the driver on, {@code false} off; unset: on if any S3 setting is set. */
    public static final String ENABLED = "S3_ENABLED";
    /** The region requests are signed for; default {@code us-east-1}. */
    public static final String REGION = "AWS_REGION";
    /** An http(s) endpoint of an S3-compatible store, instead of AWS's own. */
    public static final String ENDPOINT = "S3_ENDPOINT";
    /** Path-style addressing ({@code endpoint/bucket/key}); default true with an endpoint. */
    public static final String PATH_STYLE = "S3_PATH_STYLE";
    /** The access key id; with {@link #SECRET_KEY}, instead of the AWS default chain. */
    public static final String ACCESS_KEY = "AWS_ACCESS_KEY";
    /** The secret access key; with {@link #ACCESS_KEY}. */
    public static final String SECRET_KEY = "AWS_SECRET_KEY";
    /** The longest lifetime of a presigned URL; {@code 0} turns presigning off. Default 1h. */
    public static final String PRESIGN_LIFETIME = "S3_PRESIGN_LIFETIME";
    /** The part size of multipart uploads, also the largest single PUT. Default 8MiB. */
    public static final String MULTIPART_PART_SIZE = "S3_MULTIPART_PART_SIZE";
    /** The most connections to the store at once. Default 64. */
    public static final String MAX_CONNECTIONS = "S3_MAX_CONNECTIONS";
    /** How long connecting may take. Default 10s. */
    public static final String CONNECT_TIMEOUT = "S3_CONNECT_TIMEOUT";
    /** How long a read may wait for data. Default 30s. */
    public static final String READ_TIMEOUT = "S3_READ_TIMEOUT";
    /** How many times a request is tried (the first try included). Default 3. */
    public static final String MAX_ATTEMPTS = "S3_MAX_ATTEMPTS";

    static final String DEFAULT_REGION = "us-east-1";
    static final Duration DEFAULT_PRESIGN_LIFETIME = Duration.ofHours(1);
    /** SigV4 presigned URLs cannot live longer. */
    static final Duration MAX_PRESIGN_LIFETIME = Duration.ofDays(7);

    static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;
    /** S3's smallest part (every part but the last). */
    static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    /** A part is held in memory while it is sent, so it is capped well below S3's 5 GiB. */
    static final int MAX_PART_SIZE = 512 * 1024 * 1024;

    static final int DEFAULT_MAX_CONNECTIONS = 64;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    static final int DEFAULT_MAX_ATTEMPTS = 3;

    private static final Pattern REGION_NAME = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,10})\\s*(|b|k|kib|m|mib|g|gib)");

    /** Creates the factory; ServiceLoader calls this. */
    public S3StorageDriverFactory() {}

    @Override
    public String name() {
        return "s3";
    }

    /**
     * {@return the driver, or empty if the settings do not turn it on (see the class
     * documentation)} Makes no network call.
     *
     * @throws BrizoException of kind CONFIGURATION naming the setting if a value is malformed, or
     *     if only one of {@value #ACCESS_KEY} and {@value #SECRET_KEY} is set
     */
    @Override
    public Optional<StorageDriver> create(Settings settings) {
        if (!enabled(settings)) {
            return Optional.empty();
        }
        String region = region(settings);
        URI endpoint = endpoint(settings);
        boolean pathStyle = settings.getBoolean(PATH_STYLE, endpoint != null);
        Duration presignLifetime = presignLifetime(settings);
        int partSize = partSize(settings);
        int maxConnections = settings.getInt(MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS, 1, 10_000);
        Duration connectTimeout = timeout(settings, CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT);
        Duration readTimeout = timeout(settings, READ_TIMEOUT, DEFAULT_READ_TIMEOUT);
        int maxAttempts = settings.getInt(MAX_ATTEMPTS, DEFAULT_MAX_ATTEMPTS, 1, 20);
        Optional<AwsCredentialsProvider> explicit = explicitCredentials(settings);
        // Lazy: the chain looks for credentials at the first request, not now.
        AwsCredentialsProvider credentials =
                explicit.orElseGet(() -> DefaultCredentialsProvider.builder().build());

        S3ClientBuilder clientBuilder = S3Client.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle)
                // Built by the SDK from this builder, so closing the S3 client closes it too.
                .httpClientBuilder(Apache5HttpClient.builder()
                        .maxConnections(maxConnections)
                        .connectionTimeout(connectTimeout)
                        .socketTimeout(readTimeout)
                        // A download waits for a free connection no longer than for a connect.
                        .connectionAcquisitionTimeout(connectTimeout))
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(maxAttempts)));
        S3Presigner.Builder presignerBuilder = S3Presigner.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder()
                        .pathStyleAccessEnabled(pathStyle)
                        .build());
        if (endpoint != null) {
            clientBuilder.endpointOverride(endpoint);
            presignerBuilder.endpointOverride(endpoint);
        }
        S3Client client = clientBuilder.build();
        S3Presigner presigner;
        try {
            presigner = presignerBuilder.build();
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        String description = "region=" + region + ", endpoint=" + (endpoint == null ? "aws" : "custom")
                + ", pathStyle=" + pathStyle + ", credentials=" + (explicit.isPresent() ? "explicit" : "default chain")
                + ", partSize=" + partSize + ", presignLifetime=" + presignLifetime;
        return Optional.of(new S3StorageDriver(client, presigner, presignLifetime, partSize, description));
    }

    /** {@return whether the settings turn the driver on} */
    static boolean enabled(Settings settings) {
        if (settings.has(ENABLED)) {
            return settings.getBoolean(ENABLED, false);
        }
        return List.of(
                        ENDPOINT,
                        PATH_STYLE,
                        ACCESS_KEY,
                        SECRET_KEY,
                        PRESIGN_LIFETIME,
                        MULTIPART_PART_SIZE,
                        MAX_CONNECTIONS,
                        CONNECT_TIMEOUT,
                        READ_TIMEOUT,
                        MAX_ATTEMPTS)
                .stream()
                .anyMatch(settings::has);
    }

    private static String region(Settings settings) {
        String region = settings.get(REGION, DEFAULT_REGION).toLowerCase(Locale.ROOT);
        if (!REGION_NAME.matcher(region).matches()) {
            throw settings.malformed(REGION, "an AWS region name such as us-east-1 or eu-west-1");
        }
        return region;
    }

    /**
     * {@return the endpoint, or null for AWS's own} Its errors do not show the value, which names
     * a host.
     */
    private static URI endpoint(Settings settings) {
        Optional<String> value = settings.get(ENDPOINT);
        if (value.isEmpty()) {
            return null;
        }
        String expected = "setting " + ENDPOINT + " has an invalid value (not shown): expected an http or https URL"
                + " without user info, query or fragment, such as http://127.0.0.1:9000";
        URI uri;
        try {
            uri = new URI(value.get());
        } catch (URISyntaxException e) {
            throw BrizoException.configuration(expected);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https"))
                || uri.getHost() == null
                || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw BrizoException.configuration(expected);
        }
        return uri;
    }

    private static Optional<AwsCredentialsProvider> explicitCredentials(Settings settings) {
        Optional<String> accessKey = settings.get(ACCESS_KEY);
        Optional<String> secretKey = settings.get(SECRET_KEY);
        if (accessKey.isEmpty() && secretKey.isEmpty()) {
            return Optional.empty();
        }
        if (accessKey.isEmpty() || secretKey.isEmpty()) {
            throw BrizoException.configuration("settings " + ACCESS_KEY + " and " + SECRET_KEY
                    + " go together: set both, or neither to use the AWS default credential chain");
        }
        // AwsBasicCredentials.toString() does not print the secret.
        return Optional.of(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey.get(), secretKey.get())));
    }

    private static Duration presignLifetime(Settings settings) {
        Duration d = settings.getDuration(PRESIGN_LIFETIME, DEFAULT_PRESIGN_LIFETIME);
        if (d.compareTo(MAX_PRESIGN_LIFETIME) > 0) {
            throw settings.malformed(PRESIGN_LIFETIME, "a duration of at most 7d (S3's limit), or 0 to turn it off");
        }
        return d;
    }

    static int partSize(Settings settings) {
        Optional<String> value = settings.get(MULTIPART_PART_SIZE);
        if (value.isEmpty()) {
            return DEFAULT_PART_SIZE;
        }
        String expected = "a size from 5MiB to 512MiB, in bytes or with the unit KiB, MiB or GiB, such as 8MiB";
        Matcher m = SIZE.matcher(value.get().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw settings.malformed(MULTIPART_PART_SIZE, expected);
        }
        long unit =
                switch (m.group(2)) {
                    case "k", "kib" -> 1024L;
                    case "m", "mib" -> 1024L * 1024;
                    case "g", "gib" -> 1024L * 1024 * 1024;
                    default -> 1L;
                };
        long size = Long.parseLong(m.group(1)) * unit;
        if (size < MIN_PART_SIZE || size > MAX_PART_SIZE) {
            throw settings.malformed(MULTIPART_PART_SIZE, expected);
        }
        return (int) size;
    }

    private static Duration timeout(Settings settings, String key, Duration defaultValue) {
        Duration d = settings.getDuration(key, defaultValue);
        // Zero would mean "wait forever" to the HTTP client; a stuck store must fail instead.
        if (d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
            throw settings.malformed(key, "a positive duration of at most 24 days, such as 10s");
        }
        return d;
    }

    @Override
    public List<SettingKey> settingKeys() {
        return List.of(
                SettingKey.of(
                        ENABLED,
                        null,
                        "true turns the S3 driver on, false off; unset: on when any other S3 setting is set."),
                SettingKey.of(
                        REGION, DEFAULT_REGION, "The AWS region S3 requests are signed for: the buckets' region."),
                SettingKey.of(
                        ENDPOINT,
                        null,
                        "An http(s) URL of an S3-compatible store (MinIO, Ceph, ...) to use instead of AWS S3."),
                SettingKey.of(
                        PATH_STYLE,
                        "true with S3_ENDPOINT, else false",
                        "Address buckets in the path (endpoint/bucket/key) instead of the host name."),
                SettingKey.secret(
                        ACCESS_KEY, "The S3 access key id; with AWS_SECRET_KEY, instead of the AWS default chain."),
                SettingKey.secret(SECRET_KEY, "The S3 secret access key; with AWS_ACCESS_KEY."),
                SettingKey.of(
                        PRESIGN_LIFETIME,
                        "1h",
                        "The longest lifetime of a presigned S3 URL (at most 7d); 0 turns presigning off."),
                SettingKey.of(
                        MULTIPART_PART_SIZE,
                        "8MiB",
                        "The part size of S3 multipart uploads (5MiB to 512MiB), held in memory per write."),
                SettingKey.of(
                        MAX_CONNECTIONS,
                        Integer.toString(DEFAULT_MAX_CONNECTIONS),
                        "The most connections to the S3 store at once; each open download holds one."),
                SettingKey.of(CONNECT_TIMEOUT, "10s", "How long connecting to the S3 store may take."),
                SettingKey.of(READ_TIMEOUT, "30s", "How long a read from the S3 store may wait for data."),
                SettingKey.of(
                        MAX_ATTEMPTS,
                        Integer.toString(DEFAULT_MAX_ATTEMPTS),
                        "How many times an S3 request is tried, the first included; throttling and 5xx are retried."));
    }

    @Override
    public String toString() {
        return "S3StorageDriverFactory";
    }
}
