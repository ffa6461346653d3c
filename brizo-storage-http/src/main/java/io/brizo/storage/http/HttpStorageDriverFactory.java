package io.brizo.storage.http;

import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import java.net.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import okhttp3.Dns;
import okhttp3.OkHttpClient;

/**
 * Creates the {@code http} storage driver for {@code http:} and {@code https:} locations. It
 * needs no settings, so it is always available; its negative priority makes it the last driver
 * asked, after any specific one that also speaks HTTP (S3, Azure, IPFS gateways).
 *
 * <p>Connections to loopback, private, link-local (including cloud metadata), multicast,
 * unspecified, carrier-grade NAT and reserved addresses are refused unless {@value
 * #ALLOWED_NETWORKS} lists them, because storage URLs come from asset metadata (server-side
 * request forgery).
 *
 * <p>Found through {@link java.util.ServiceLoader}; public only for that reason.
 */
public final class HttpStorageDriverFactory implements StorageDriver.Factory {
    /** Networks allowed despite being special-purpose, as comma-separated CIDRs. Default: none. */
    public static final String ALLOWED_NETWORKS = "BRIZO_HTTP_ALLOWED_NETWORKS";
    /** How many redirects a request may follow. Default 5. */
    public static final String MAX_REDIRECTS = "BRIZO_HTTP_MAX_REDIRECTS";
    /** How long connecting may take. Default 10s. */
    public static final String CONNECT_TIMEOUT = "BRIZO_HTTP_CONNECT_TIMEOUT";
    /** How long a read may wait for data. Default 30s. */
    public static final String READ_TIMEOUT = "BRIZO_HTTP_READ_TIMEOUT";

    static final int DEFAULT_MAX_REDIRECTS = 5;
    static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    /** Creates the factory; ServiceLoader calls this. */
    public HttpStorageDriverFactory() {}

    @Override
    public String name() {
        return "http";
    }

    /** {@return -100: the generic HTTP driver is asked after every specific driver} */
    @Override
    public int priority() {
        return -100;
    }

    /**
     * {@return the driver; never empty} Fails with a CONFIGURATION error naming the setting if a
     * value is malformed.
     */
    @Override
    public Optional<StorageDriver> create(Settings settings) {
        AddressPolicy policy = AddressPolicy.allowing(allowedNetworks(settings));
        int maxRedirects = settings.getInt(MAX_REDIRECTS, DEFAULT_MAX_REDIRECTS, 0, 20);
        Duration connect = timeout(settings, CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT);
        Duration read = timeout(settings, READ_TIMEOUT, DEFAULT_READ_TIMEOUT);
        OkHttpClient client = clientBuilder(policy, connect, read).build();
        return Optional.of(new HttpStorageDriver(client, maxRedirects));
    }

    /**
     * {@return an OkHttp client builder with the SSRF guards in place} Tests in this package add
     * a trust manager for their own TLS server; nothing may replace the DNS or socket factory.
     */
    static OkHttpClient.Builder clientBuilder(AddressPolicy policy, Duration connect, Duration read) {
        return new OkHttpClient.Builder()
                // A proxy would connect on our behalf, out of reach of the socket check.
                .proxy(Proxy.NO_PROXY)
                .dns(new GuardedDns(policy, Dns.SYSTEM))
                .socketFactory(new GuardedSocketFactory(policy))
                // Redirects are followed by the driver, which caps them and scopes credentials.
                .followRedirects(false)
                .followSslRedirects(false)
                .connectTimeout(connect)
                .readTimeout(read)
                .writeTimeout(read);
    }

    private static List<Cidr> allowedNetworks(Settings settings) {
        List<Cidr> out = new ArrayList<>();
        for (String entry : settings.getList(ALLOWED_NETWORKS, ",")) {
            try {
                out.add(Cidr.parse(entry));
            } catch (IllegalArgumentException e) {
                throw settings.malformed(
                        ALLOWED_NETWORKS, "comma-separated networks in CIDR form, such as 127.0.0.1/32,::1/128");
            }
        }
        return List.copyOf(out);
    }

    private static Duration timeout(Settings settings, String key, Duration defaultValue) {
        Duration d = settings.getDuration(key, defaultValue);
        // OkHttp reads zero as "no timeout" and holds milliseconds in an int.
        if (d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
            throw settings.malformed(key, "a positive duration of at most 24 days, such as 10s");
        }
        return d;
    }

    @Override
    public List<SettingKey> settingKeys() {
        return List.of(
                SettingKey.of(
                        ALLOWED_NETWORKS,
                        null,
                        "Comma-separated CIDR networks the HTTP driver may reach although they are loopback,"
                                + " private or otherwise special-purpose, such as 127.0.0.1/32,::1/128."),
                SettingKey.of(
                        MAX_REDIRECTS,
                        Integer.toString(DEFAULT_MAX_REDIRECTS),
                        "How many redirects an HTTP storage request may follow (0 to 20)."),
                SettingKey.of(CONNECT_TIMEOUT, "10s", "How long connecting to an HTTP storage server may take."),
                SettingKey.of(READ_TIMEOUT, "30s", "How long reading from an HTTP storage server may wait for data."));
    }

    @Override
    public String toString() {
        return "HttpStorageDriverFactory";
    }
}
