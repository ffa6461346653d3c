package io.brizo.storage.azure;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.options.BlobParallelUploadOptions;
import io.brizo.spi.StorageDriver;
import io.brizo.testkit.StorageDriverContract;
import java.net.URI;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The testkit's contract, against a real Azurite: fixtures are uploaded with the SDK's own
 * client, read through the driver at their canonical {@code https://devstoreaccount1.blob.core.windows.net}
 * URLs (nested two folders deep), with {@code AZURE_BLOB_ENDPOINT} pointing at Azurite.
 */
class AzureBlobStorageDriverContractTest extends StorageDriverContract {
    private static final String CONTAINER = "contract";
    private static final String FOLDERS = "folder/sub folder/";

    private static Azurite azurite;
    private static BlobContainerClient container;
    private static StorageDriver driver;
    private static StorageDriver wrongKeyDriver;
    private static final String WRONG_KEY =
            Base64.getEncoder().encodeToString("not the account key at all!".getBytes());

    @BeforeAll
    static void start() throws Exception {
        azurite = Azurite.inMemory();
        container = azurite.container(CONTAINER);
        driver = Azurite.driver(azurite.keySettings());
        Map<String, String> wrong = new HashMap<>(azurite.keySettings());
        wrong.put(AzureBlobStorageDriverFactory.ACCOUNT_KEY, WRONG_KEY);
        wrongKeyDriver = Azurite.driver(wrong);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.close();
        }
        if (wrongKeyDriver != null) {
            wrongKeyDriver.close();
        }
        if (azurite != null) {
            azurite.close();
        }
    }

    @Override
    protected StorageDriver driver() {
        return driver;
    }

    @Override
    protected URI createObject(String name, byte[] content) {
        container
                .getBlobClient(FOLDERS + name)
                .uploadWithResponse(
                        new BlobParallelUploadOptions(BinaryData.fromBytes(content))
                                .setHeaders(new BlobHttpHeaders().setContentType(contentTypeOf(name))),
                        null,
                        null);
        return Azurite.canonical(CONTAINER, "folder/sub%20folder/" + name);
    }

    @Override
    protected URI missingObject() {
        return Azurite.canonical(CONTAINER, "folder/no-such-blob.bin");
    }

    @Override
    protected Optional<String> expectedContentType(String name) {
        return Optional.of(contentTypeOf(name));
    }

    @Override
    protected Optional<URI> writableLocation(String name) {
        return Optional.of(Azurite.canonical(CONTAINER, "outputs/sub%20folder/" + name));
    }

    @Override
    protected Optional<RefusedAccess> refusedAccess() {
        URI existing = createObject(name("guarded", ".bin"), new byte[10]);
        return Optional.of(new RefusedAccess(wrongKeyDriver, existing, WRONG_KEY));
    }

    private static String contentTypeOf(String name) {
        return name.endsWith(".txt") ? "text/plain" : "application/octet-stream";
    }
}
