package io.brizo.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Wallet;
import org.web3j.crypto.WalletFile;
import org.web3j.protocol.ObjectMapperFactory;

/**
 * The provider's key from a keystore v3: PROVIDER_KEYFILE (a file) or PROVIDER_ENCRYPTED_KEY (the
 * JSON in the setting), each with PROVIDER_PASSWORD. Keystores come from three writers: web3j
 * ({@link Wallet#createLight}, the light scrypt parameters, so the tests stay fast), ethers.js v6
 * ({@code vectors/keystore-ethers.json}, made by {@code vectors/make-keystores.mjs}), and the Web3
 * Secret Storage Definition's own PBKDF2 test vector ({@code
 * vectors/keystore-web3-secret-storage-pbkdf2.json}: password {@code testpassword}, secret {@code
 * 7a28b5ba...14fe9d}, address {@code 0x008aeeda...786b}, copied from the definition).
 */
class ProviderKeysTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PASSWORD = "a test password: never shown";
    static final ECKeyPair KEY = ECKeyPair.create(new BigInteger("3c".repeat(32), 16));

    @TempDir
    Path dir;

    static String address(ECKeyPair key) {
        return Keys.toChecksumAddress(Keys.getAddress(key));
    }

    static String web3jKeystore(ECKeyPair key, String password) throws Exception {
        WalletFile file = Wallet.createLight(password, key);
        return ObjectMapperFactory.getObjectMapper().writeValueAsString(file);
    }

    static JsonNode resource(String name) throws Exception {
        try (InputStream in = ProviderKeysTest.class.getResourceAsStream("/vectors/" + name)) {
            return JSON.readTree(in);
        }
    }

    Path write(String json) throws Exception {
        return Files.writeString(dir.resolve("provider-keystore.json"), json);
    }

    static BrizoException configurationError(Settings settings) {
        BrizoException e = assertThrows(BrizoException.class, () -> CoreSettings.providerAddress(settings));
        assertEquals(ErrorKind.CONFIGURATION, e.kind(), e.getMessage());
        return e;
    }

    /** The message must not carry the password, the key, the keystore or the file's path. */
    static void revealsNothing(BrizoException e, String... secrets) {
        String m = e.getMessage();
        for (String s : secrets) {
            assertFalse(m.contains(s), m);
        }
        String priv = KEY.getPrivateKey().toString(16);
        assertFalse(m.toLowerCase(Locale.ROOT).contains(priv), m);
    }

    @Test
    void aKeystoreFileWrittenByWeb3jGivesTheProviderItsKeyAndAddress() throws Exception {
        Path file = write(web3jKeystore(KEY, PASSWORD));
        Settings s = Settings.builder()
                .put("PROVIDER_KEYFILE", file.toString())
                .put("PROVIDER_PASSWORD", PASSWORD)
                .build();

        assertEquals(
                KEY.getPrivateKey(), CoreSettings.providerKey(s).orElseThrow().getPrivateKey());
        assertEquals(address(KEY), CoreSettings.providerAddress(s).orElseThrow());
    }

    @Test
    void theKeystoreJsonItselfInProviderEncryptedKeyGivesTheSameKey() throws Exception {
        Settings s = Settings.builder()
                .put("PROVIDER_ENCRYPTED_KEY", web3jKeystore(KEY, PASSWORD))
                .put("PROVIDER_PASSWORD", PASSWORD)
                .build();

        assertEquals(
                KEY.getPrivateKey(), CoreSettings.providerKey(s).orElseThrow().getPrivateKey());
    }

    @Test
    void aKeystoreWrittenByEthersOpensToTheAddressEthersGaveIt() throws Exception {
        JsonNode vector = resource("keystore-ethers.json");
        Path file = write(vector.get("keystore").asText());

        Settings fromFile = Settings.builder()
                .put("PROVIDER_KEYFILE", file.toString())
                .put("PROVIDER_PASSWORD", vector.get("password").asText())
                .build();
        Settings inline = Settings.builder()
                .put("PROVIDER_ENCRYPTED_KEY", vector.get("keystore").asText())
                .put("PROVIDER_PASSWORD", vector.get("password").asText())
                .build();

        assertEquals(
                vector.get("address").asText(),
                CoreSettings.providerAddress(fromFile).orElseThrow());
        assertEquals(
                vector.get("address").asText(),
                CoreSettings.providerAddress(inline).orElseThrow());
    }

    @Test
    void theWeb3SecretStorageDefinitionsPbkdf2TestVectorOpensToItsSecret() throws Exception {
        Path file = write(resource("keystore-web3-secret-storage-pbkdf2.json").toString());
        Settings s = Settings.builder()
                .put("PROVIDER_KEYFILE", file.toString())
                .put("PROVIDER_PASSWORD", "testpassword")
                .build();

        assertEquals(
                "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d",
                CoreSettings.providerKey(s).orElseThrow().getPrivateKey().toString(16));
        assertEquals(
                "0x008aeeda4d805471df9b2a5b0f38a0c3bcba786b",
                CoreSettings.providerAddress(s).orElseThrow().toLowerCase(Locale.ROOT));
    }

    @Test
    void pluginsGetTheSameAccountThroughTheSpiWithTheKeyAsThirtyTwoBytesAndAToStringWithoutIt() throws Exception {
        // A key with a leading zero byte: the 32 bytes must keep it.
        ECKeyPair small = ECKeyPair.create(new BigInteger("00" + "5a".repeat(31), 16));
        Settings s = Settings.builder()
                .put("PROVIDER_ENCRYPTED_KEY", web3jKeystore(small, PASSWORD))
                .put("PROVIDER_PASSWORD", PASSWORD)
                .build();

        io.brizo.spi.ProviderAccount account =
                io.brizo.spi.ProviderAccount.from(s).orElseThrow();

        assertEquals(address(small), account.address());
        assertEquals(32, account.privateKey().length);
        assertEquals(small.getPrivateKey(), new BigInteger(1, account.privateKey()));
        assertFalse(account.toString().contains("5a5a5a"), account.toString());
        assertEquals(java.util.Optional.empty(), io.brizo.spi.ProviderAccount.from(Settings.empty()));
    }

    @Test
    void theKeystoreIsOpenedOnceForOneSettingsHoweverOftenTheKeyIsAsked() throws Exception {
        Settings s = Settings.builder()
                .put("PROVIDER_ENCRYPTED_KEY", web3jKeystore(KEY, PASSWORD))
                .put("PROVIDER_PASSWORD", PASSWORD)
                .build();

        assertSame(
                CoreSettings.providerKey(s).orElseThrow(),
                CoreSettings.providerKey(s).orElseThrow());
    }

    @Test
    void aWrongPasswordRefusesToStartWithAConfigurationErrorThatShowsNeitherPassword() throws Exception {
        String keystore = web3jKeystore(KEY, PASSWORD);
        Path file = write(keystore);
        String wrong = "not the password at all";
        Settings s = Settings.builder()
                .put("PROVIDER_KEYFILE", file.toString())
                .put("PROVIDER_PASSWORD", wrong)
                .build();

        BrizoException e = configurationError(s);

        assertTrue(e.getMessage().contains("PROVIDER_PASSWORD does not open PROVIDER_KEYFILE"), e.getMessage());
        revealsNothing(e, wrong, PASSWORD, file.toString(), dir.toString(), keystore);
    }

    @Test
    void aMissingKeystoreFileIsAConfigurationErrorThatDoesNotNameThePath() {
        Path missing = dir.resolve("no-such-keystore.json");
        Settings s = Settings.builder()
                .put("PROVIDER_KEYFILE", missing.toString())
                .put("PROVIDER_PASSWORD", PASSWORD)
                .build();

        BrizoException e = configurationError(s);

        assertTrue(e.getMessage().contains("PROVIDER_KEYFILE names a file that does not exist"), e.getMessage());
        revealsNothing(e, PASSWORD, missing.toString(), "no-such-keystore");
    }

    @Test
    void malformedKeystoreJsonIsAConfigurationErrorThatDoesNotQuoteIt() throws Exception {
        String keystore = web3jKeystore(KEY, PASSWORD);
        String broken = keystore.substring(0, keystore.length() / 2);
        String ciphertext = JSON.readTree(keystore).at("/crypto/ciphertext").asText();
        Settings s = Settings.builder()
                .put("PROVIDER_ENCRYPTED_KEY", broken)
                .put("PROVIDER_PASSWORD", PASSWORD)
                .build();

        BrizoException e = configurationError(s);

        assertTrue(e.getMessage().contains("PROVIDER_ENCRYPTED_KEY is not a keystore v3 JSON"), e.getMessage());
        revealsNothing(e, PASSWORD, ciphertext.substring(0, 16));

        Settings notAKeystore = Settings.builder()
                .put("PROVIDER_KEYFILE", write("{\"version\": 3}").toString())
                .put("PROVIDER_PASSWORD", PASSWORD)
                .build();
        assertTrue(
                configurationError(notAKeystore).getMessage().contains("PROVIDER_KEYFILE is not a keystore v3 JSON"));
    }

    @Test
    void aProviderAddressThatIsNotTheKeystoresAddressRefusesToStartNamingBothAddresses() throws Exception {
        String other = "0x" + "ab".repeat(20);
        Settings s = Settings.builder()
                .put("PROVIDER_ENCRYPTED_KEY", web3jKeystore(KEY, PASSWORD))
                .put("PROVIDER_PASSWORD", PASSWORD)
                .put("PROVIDER_ADDRESS", other)
                .build();

        BrizoException e = configurationError(s);

        String m = e.getMessage();
        assertTrue(m.contains(Keys.toChecksumAddress(other)), m);
        assertTrue(m.contains(address(KEY)), m);
        assertTrue(m.contains("PROVIDER_ENCRYPTED_KEY"), m);
        revealsNothing(e, PASSWORD);

        Settings agreeing = Settings.builder()
                .put("PROVIDER_ENCRYPTED_KEY", web3jKeystore(KEY, PASSWORD))
                .put("PROVIDER_PASSWORD", PASSWORD)
                .put("PROVIDER_ADDRESS", address(KEY).toLowerCase(Locale.ROOT))
                .build();
        assertEquals(address(KEY), CoreSettings.providerAddress(agreeing).orElseThrow());
    }

    @Test
    void twoSourcesOfTheKeyAreRefusedWhicheverTwo() throws Exception {
        String keystore = web3jKeystore(KEY, PASSWORD);
        String hex = "0x" + KEY.getPrivateKey().toString(16);
        Path file = write(keystore);

        BrizoException keyAndFile = configurationError(Settings.builder()
                .put("PROVIDER_KEY", hex)
                .put("PROVIDER_KEYFILE", file.toString())
                .put("PROVIDER_PASSWORD", PASSWORD)
                .build());
        assertTrue(
                keyAndFile.getMessage().contains("PROVIDER_KEY and PROVIDER_KEYFILE are set together"),
                keyAndFile.getMessage());
        revealsNothing(keyAndFile, PASSWORD, file.toString(), hex.substring(2));

        BrizoException fileAndJson = configurationError(Settings.builder()
                .put("PROVIDER_KEYFILE", file.toString())
                .put("PROVIDER_ENCRYPTED_KEY", keystore)
                .put("PROVIDER_PASSWORD", PASSWORD)
                .build());
        assertTrue(
                fileAndJson.getMessage().contains("PROVIDER_KEYFILE and PROVIDER_ENCRYPTED_KEY are set together"),
                fileAndJson.getMessage());
    }

    @Test
    void aKeystoreWithoutAPasswordOrAPasswordWithoutAKeystoreIsRefused() throws Exception {
        BrizoException noPassword = configurationError(Settings.builder()
                .put("PROVIDER_ENCRYPTED_KEY", web3jKeystore(KEY, PASSWORD))
                .build());
        assertTrue(
                noPassword.getMessage().contains("PROVIDER_ENCRYPTED_KEY is set without PROVIDER_PASSWORD"),
                noPassword.getMessage());

        BrizoException noKeystore = configurationError(
                Settings.builder().put("PROVIDER_PASSWORD", PASSWORD).build());
        assertTrue(noKeystore.getMessage().contains("no keystore to open"), noKeystore.getMessage());
        revealsNothing(noKeystore, PASSWORD);
    }

    @Test
    void theKeystoreSettingsAndThePasswordAreMaskedAsSecrets() throws Exception {
        Settings s = Settings.builder()
                .put("PROVIDER_KEYFILE", "/srv/keys/provider.json")
                .put("PROVIDER_ENCRYPTED_KEY", "{\"version\":3}")
                .put("PROVIDER_PASSWORD", PASSWORD)
                .build();

        assertFalse(s.toString().contains(PASSWORD), s.toString());
        assertFalse(s.toString().contains("/srv/keys"), s.toString());
        assertFalse(s.toString().contains("version"), s.toString());
        assertTrue(CoreSettings.PROVIDER_KEYFILE.secret());
        assertTrue(CoreSettings.PROVIDER_ENCRYPTED_KEY.secret());
        assertTrue(CoreSettings.PROVIDER_PASSWORD.secret());
        assertTrue(CoreSettings.ALL.contains(CoreSettings.PROVIDER_PASSWORD));
    }
}
