package io.brizo.storage.ipfs;

import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the {@code ipfs} storage driver for {@code ipfs://<cid>[/path]} locations, read
 * through an HTTP gateway ({@value #GATEWAY}) and verified block by block against their CIDs.
 * It needs no setting (the default gateway is public), so it is always available.
 *
 * <p>Found through {@link java.util.ServiceLoader}; public only for that reason.
 */
public final class IpfsStorageDriverFactory implements StorageDriver.Factory {
    private static final Logger LOG = LoggerFactory.getLogger(IpfsStorageDriverFactory.class);

    /** The gateway's base URL. Default {@value #DEFAULT_GATEWAY}. */
    public static final String GATEWAY = "IPFS_GATEWAY";
    /** Connect and read timeout, and the longest a block request may take. Default 30s. */
    public static final String TIMEOUT = "IPFS_TIMEOUT";
    /** Pass the gateway's bytes on unverified. Default false. Unsafe. */
    public static final String TRUST_GATEWAY = "IPFS_TRUST_GATEWAY";
    /** Blocks one stream requests ahead of the one it reads. Default 4. */
    public static final String PREFETCH_BLOCKS = "IPFS_PREFETCH_BLOCKS";
    /** The largest block accepted, in bytes. Default 2 MiB. */
    public static final String MAX_BLOCK_SIZE = "IPFS_MAX_BLOCK_SIZE";
    /** The deepest file DAG accepted. Default 32. */
    public static final String MAX_DAG_DEPTH = "IPFS_MAX_DAG_DEPTH";
    /** The most blocks one stat or read may fetch. Default 1000000. */
    public static final String MAX_BLOCKS = "IPFS_MAX_BLOCKS";

    /** The gateway used when {@value #GATEWAY} is not set: a public trustless gateway. */
    public static final String DEFAULT_GATEWAY = "https://trustless-gateway.link";

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final int DEFAULT_PREFETCH_BLOCKS = 4;
    static final int DEFAULT_MAX_BLOCK_SIZE = 2 * 1024 * 1024;
    static final int DEFAULT_MAX_DAG_DEPTH = 32;
    static final int DEFAULT_MAX_BLOCKS = 1_000_000;

    /** Creates the factory; ServiceLoader calls this. */
    public IpfsStorageDriverFactory() {}

    @Override
    public String name() {
        return "ipfs";
    }

    /**
     * {@return the driver; never empty} Fails with a CONFIGURATION error naming the setting if a
     * value is malformed.
     */
    @Override
    public Optional<StorageDriver> create(Settings settings) {
        IpfsConfig config = config(settings);
        if (config.trustGateway()) {
            LOG.warn("IPFS_TRUST_GATEWAY is true: content from the IPFS gateway is passed on without checking it"
                    + " against its CID");
        }
        return Optional.of(new IpfsStorageDriver(config));
    }

    static IpfsConfig config(Settings settings) {
        HttpUrl gateway = gateway(settings);
        Duration timeout = settings.getDuration(TIMEOUT, DEFAULT_TIMEOUT);
        // OkHttp reads zero as "no timeout" and holds milliseconds in an int.
        if (timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw settings.malformed(TIMEOUT, "a positive duration of at most 24 days, such as 30s");
        }
        return new IpfsConfig(
                gateway,
                timeout,
                settings.getBoolean(TRUST_GATEWAY, false),
                settings.getInt(PREFETCH_BLOCKS, DEFAULT_PREFETCH_BLOCKS, 0, 64),
                settings.getInt(MAX_BLOCK_SIZE, DEFAULT_MAX_BLOCK_SIZE, 1024, 64 * 1024 * 1024),
                settings.getInt(MAX_DAG_DEPTH, DEFAULT_MAX_DAG_DEPTH, 1, 1024),
                settings.getInt(MAX_BLOCKS, DEFAULT_MAX_BLOCKS, 1, Integer.MAX_VALUE));
    }

    private static HttpUrl gateway(Settings settings) {
        String value = settings.get(GATEWAY, DEFAULT_GATEWAY);
        HttpUrl url = HttpUrl.parse(value);
        if (url == null
                || url.query() != null
                || url.fragment() != null
                || !url.username().isEmpty()
                || !url.password().isEmpty()) {
            throw settings.malformed(
                    GATEWAY, "an http or https URL without user info, query or fragment, such as " + DEFAULT_GATEWAY);
        }
        return url;
    }

    @Override
    public List<SettingKey> settingKeys() {
        return List.of(
                SettingKey.of(
                        GATEWAY,
                        DEFAULT_GATEWAY,
                        "Base URL of the IPFS HTTP gateway; it must speak the trustless gateway protocol"
                                + " (raw blocks) unless IPFS_TRUST_GATEWAY is true."),
                SettingKey.of(
                        TIMEOUT,
                        "30s",
                        "Connect and read timeout for the IPFS gateway, and the longest one block request may take."),
                SettingKey.of(
                        TRUST_GATEWAY,
                        "false",
                        "Unsafe: pass the gateway's bytes on without verifying them against the CID."),
                SettingKey.of(
                        PREFETCH_BLOCKS,
                        Integer.toString(DEFAULT_PREFETCH_BLOCKS),
                        "Blocks one IPFS stream requests ahead of the block it is reading (0 to 64)."),
                SettingKey.of(
                        MAX_BLOCK_SIZE,
                        Integer.toString(DEFAULT_MAX_BLOCK_SIZE),
                        "The largest IPFS block accepted, in bytes (1024 to 67108864)."),
                SettingKey.of(
                        MAX_DAG_DEPTH,
                        Integer.toString(DEFAULT_MAX_DAG_DEPTH),
                        "The deepest IPFS file DAG accepted, in levels below the file's root (1 to 1024)."),
                SettingKey.of(
                        MAX_BLOCKS,
                        Integer.toString(DEFAULT_MAX_BLOCKS),
                        "The most IPFS blocks one stat or read may fetch."));
    }

    @Override
    public String toString() {
        return "IpfsStorageDriverFactory";
    }
}
