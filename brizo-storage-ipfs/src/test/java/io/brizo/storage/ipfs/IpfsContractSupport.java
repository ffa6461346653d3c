package io.brizo.storage.ipfs;

import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.brizo.testkit.StorageDriverContract;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * Runs the testkit's {@link StorageDriverContract} against the ipfs driver and a real Helia node
 * behind the project's gateway script, one node per test class. Subclasses choose how fixtures
 * are laid out in IPFS (chunking, CID version, leaves, directories) and the driver's settings.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IpfsContractSupport extends StorageDriverContract {
    IpfsGateway gateway;
    StorageDriver driver;

    @BeforeAll
    void startGatewayAndDriver() throws Exception {
        gateway = IpfsGateway.start();
        Map<String, String> settings = new HashMap<>(driverSettings());
        settings.put("IPFS_GATEWAY", gateway.url());
        settings.putIfAbsent("IPFS_TIMEOUT", "20s");
        driver = new IpfsStorageDriverFactory()
                .create(Settings.builder().putAll(settings).build())
                .orElseThrow();
    }

    @AfterAll
    void stopDriverAndGateway() {
        if (driver != null) {
            driver.close();
        }
        if (gateway != null) {
            gateway.close();
        }
    }

    /** {@return settings for the driver besides the gateway} */
    Map<String, String> driverSettings() {
        return Map.of();
    }

    @Override
    protected StorageDriver driver() {
        return driver;
    }

    @Override
    protected URI missingObject() throws Exception {
        // A well-formed CID of content that was never added to the node.
        byte[] never = "never added to the node".getBytes(StandardCharsets.UTF_8);
        return URI.create("ipfs://" + new Cid(1, Cid.RAW, Multihash.sha256Of(never)));
    }
}
