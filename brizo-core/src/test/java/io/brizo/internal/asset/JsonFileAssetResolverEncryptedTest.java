package io.brizo.internal.asset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.internal.auth.Eip191;
import io.brizo.internal.crypto.Ecies;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;

/** Catalogue entries with {@code encryptedFiles}: what the decrypted asset holds, and refusals. */
class JsonFileAssetResolverEncryptedTest {
    static final ECKeyPair KEY = Eip191.keyPairOf("0x" + "0f".repeat(32));
    static final String DID = "did:op:" + "cd".repeat(32);
    static final String PUBLISHER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

    @TempDir
    Path dir;

    static String sealed(String fileList) {
        return "0x" + HexFormat.of().formatHex(Ecies.encrypt(KEY, fileList.getBytes(StandardCharsets.UTF_8)));
    }

    JsonFileAssetResolver resolver(String entry) throws Exception {
        Path file = dir.resolve("assets.json");
        Files.writeString(file, "{\"" + DID + "\": " + entry + "}");
        return new JsonFileAssetResolver(file, Duration.ofHours(1), KEY);
    }

    @Test
    void theDecryptedAssetKeepsTheEntrysOtherFieldsAndIsDecryptedOnce() throws Exception {
        String list = "[{\"url\": \"s3://bucket/secret/a.csv\", \"contentType\": \"text/csv\", \"index\": 0,"
                + " \"contentLength\": \"12\"}, {\"url\": \"https://host.example/b\"}]";
        JsonFileAssetResolver r = resolver("{\"encryptedFiles\": \"" + sealed(list) + "\", \"timeout\": 60,"
                + " \"publisher\": \"" + PUBLISHER + "\"}");
        Asset a = r.resolve(DID).orElseThrow();
        assertEquals(
                List.of(
                        new AssetFile(URI.create("s3://bucket/secret/a.csv"), "text/csv", null),
                        new AssetFile(URI.create("https://host.example/b"), null, null)),
                a.files());
        assertEquals(Duration.ofSeconds(60), a.timeout());
        assertEquals(PUBLISHER, a.publisher());
        assertSame(a, r.resolve(DID).orElseThrow());
        assertTrue(r.resolve("did:op:" + "ef".repeat(32)).isEmpty());
    }

    @Test
    void anEncryptedAlgorithmNeedsExactlyOneFile() throws Exception {
        String algorithm = ", \"algorithm\": {\"container\": {\"entrypoint\": \"sh $ALGO\", \"image\": \"sh\","
                + " \"tag\": \"latest\"}}";
        JsonFileAssetResolver two = resolver("{\"encryptedFiles\": \""
                + sealed("[{\"url\": \"file:///a\"}, {\"url\": \"file:///b\"}]") + "\"" + algorithm + "}");
        BrizoException e = assertThrows(BrizoException.class, () -> two.resolve(DID));
        assertEquals(ErrorKind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains(DID) && e.getMessage().contains("exactly one file"), e.getMessage());
        JsonFileAssetResolver one =
                resolver("{\"encryptedFiles\": \"" + sealed("[{\"url\": \"file:///a\"}]") + "\"" + algorithm + "}");
        assertTrue(one.resolve(DID).orElseThrow().algorithmIfAny().isPresent());
    }

    @Test
    void registeringUnderTheDidOfAnEncryptedEntryIsAConflict() throws Exception {
        JsonFileAssetResolver r = resolver("{\"encryptedFiles\": \"" + sealed("[{\"url\": \"file:///a\"}]") + "\"}");
        BrizoException e = assertThrows(
                BrizoException.class,
                () -> r.register(new Asset(DID, List.of(new AssetFile(URI.create("file:///b"), null, null)))));
        assertEquals(ErrorKind.CONFLICT, e.kind());
    }

    @Test
    void aDecryptedListThatIsNotOneSaysWhereNeverWhat() throws Exception {
        for (String notAList :
                List.of("[]", "{\"url\": \"file:///secret-place\"}", "[{\"url\": \"no scheme secret-place\"}]")) {
            JsonFileAssetResolver r = resolver("{\"encryptedFiles\": \"" + sealed(notAList) + "\"}");
            BrizoException e = assertThrows(BrizoException.class, () -> r.resolve(DID), notAList);
            assertEquals(ErrorKind.NOT_FOUND, e.kind());
            assertTrue(e.getMessage().contains(DID), e.getMessage());
            assertFalse(e.getMessage().contains("secret-place"), e.getMessage());
        }
    }
}
