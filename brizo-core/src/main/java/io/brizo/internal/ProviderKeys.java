package io.brizo.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.brizo.spi.BrizoException;
import io.brizo.spi.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.params.KeyParameter;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Sign;

/**
 * Reads the provider's key from its one configured source: PROVIDER_KEY (hex), PROVIDER_KEYFILE (a
 * keystore v3 file) or PROVIDER_ENCRYPTED_KEY (the keystore JSON itself), the last two opened with
 * PROVIDER_PASSWORD. Every error is a CONFIGURATION error that names settings, never their values:
 * all four are secrets, and the file's path may say more about the host than it should.
 */
final class ProviderKeys {
    private static final Pattern HEX_KEY = Pattern.compile("(0x)?[0-9a-fA-F]{64}");

    /** Keystores are a few hundred bytes; a larger file is not one, and is not read whole. */
    private static final int MAX_KEYSTORE_BYTES = 64 * 1024;

    private static final long MAX_SCRYPT_BYTES = 512L * 1024 * 1024;
    private static final long MAX_PBKDF2_ROUNDS = 10_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProviderKeys() {}

    /** {@return the names of the key settings that are set, in a fixed order} */
    private static List<String> sources(Settings settings) {
        List<String> set = new ArrayList<>();
        for (var key : List.of(
                CoreSettings.PROVIDER_KEY, CoreSettings.PROVIDER_KEYFILE, CoreSettings.PROVIDER_ENCRYPTED_KEY)) {
            if (settings.get(key.name()).isPresent()) {
                set.add(key.name());
            }
        }
        return set;
    }

    /** {@return the name of the setting the key comes from, for messages} */
    static String source(Settings settings) {
        List<String> set = sources(settings);
        return set.isEmpty() ? "no key setting" : set.get(0);
    }

    static Optional<ECKeyPair> read(Settings settings) {
        List<String> set = sources(settings);
        boolean password = settings.get(CoreSettings.PROVIDER_PASSWORD.name()).isPresent();
        if (set.size() > 1) {
            throw BrizoException.configuration(String.join(" and ", set)
                    + " are set together: the provider has one key, set only one of them (PROVIDER_KEY, or"
                    + " PROVIDER_KEYFILE or PROVIDER_ENCRYPTED_KEY with PROVIDER_PASSWORD)");
        }
        if (set.isEmpty()) {
            if (password) {
                throw BrizoException.configuration("PROVIDER_PASSWORD is set but there is no keystore to open:"
                        + " set PROVIDER_KEYFILE or PROVIDER_ENCRYPTED_KEY as well, or remove PROVIDER_PASSWORD");
            }
            return Optional.empty();
        }
        String name = set.get(0);
        if (name.equals(CoreSettings.PROVIDER_KEY.name())) {
            if (password) {
                // A password next to a plain key is a sign of a half-finished change of configuration.
                throw BrizoException.configuration("PROVIDER_PASSWORD is set with PROVIDER_KEY, which has no"
                        + " password: remove PROVIDER_PASSWORD, or replace PROVIDER_KEY with PROVIDER_KEYFILE or"
                        + " PROVIDER_ENCRYPTED_KEY");
            }
            return Optional.of(fromHex(settings));
        }
        if (!password) {
            throw BrizoException.configuration(
                    name + " is set without PROVIDER_PASSWORD: set PROVIDER_PASSWORD to the keystore's password");
        }
        String json = name.equals(CoreSettings.PROVIDER_KEYFILE.name())
                ? readFile(settings)
                : settings.get(name).orElseThrow();
        return Optional.of(open(
                name, json, settings.get(CoreSettings.PROVIDER_PASSWORD.name()).orElseThrow()));
    }

    private static ECKeyPair fromHex(Settings settings) {
        String name = CoreSettings.PROVIDER_KEY.name();
        String k = settings.get(name).orElseThrow();
        if (!HEX_KEY.matcher(k).matches()) {
            throw settings.malformed(name, "a private key of 32 bytes as 64 hex digits");
        }
        String hex = k.startsWith("0x") || k.startsWith("0X") ? k.substring(2) : k;
        BigInteger priv = new BigInteger(hex, 16);
        if (!inRange(priv)) {
            throw settings.malformed(name, "a non-zero private key below the secp256k1 order");
        }
        return ECKeyPair.create(priv);
    }

    private static boolean inRange(BigInteger priv) {
        return priv.signum() > 0 && priv.compareTo(Sign.CURVE_PARAMS.getN()) < 0;
    }

    private static String readFile(Settings settings) {
        String name = CoreSettings.PROVIDER_KEYFILE.name();
        Path path = settings.getPath(name).orElseThrow();
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes(MAX_KEYSTORE_BYTES + 1);
            if (bytes.length > MAX_KEYSTORE_BYTES) {
                throw BrizoException.configuration(
                        name + " names a file larger than 64 KiB: that is not a keystore v3 JSON file");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw BrizoException.configuration(name + " names a file that does not exist");
        } catch (AccessDeniedException e) {
            throw BrizoException.configuration(name + " names a file this process may not read");
        } catch (IOException e) {
            throw BrizoException.configuration(name + " names a file that cannot be read (is it a folder?)");
        }
    }

    /**
     * Opens a keystore v3 as the Web3 Secret Storage Definition describes it: the KDF (scrypt, or
     * PBKDF2 with HMAC-SHA256) turns the UTF-8 password into 32 bytes, the MAC is keccak256 of
     * their second half and the ciphertext, and AES-128-CTR with their first half decrypts the key.
     * Written here on BouncyCastle and the JDK because web3j's reader lives in web3j core, which
     * would bring its HTTP and Rx stack into brizo-core; the tests read keystores that web3j, ethers
     * and the definition's test vector wrote.
     */
    private static ECKeyPair open(String name, String json, String password) {
        JsonNode crypto;
        byte[] iv;
        byte[] ciphertext;
        byte[] mac;
        byte[] derived;
        try {
            JsonNode root = JSON.readTree(json);
            // geth and web3j write "crypto"; ethers and older tools "Crypto".
            crypto = root.has("crypto") ? root.get("crypto") : root.path("Crypto");
            if (!crypto.isObject() || root.path("version").asInt(-1) != 3) {
                throw notAKeystore(name);
            }
            if (!"aes-128-ctr".equals(crypto.path("cipher").asText())) {
                throw cannotOpen(name);
            }
            iv = hex(crypto.path("cipherparams").path("iv"), name);
            ciphertext = hex(crypto.path("ciphertext"), name);
            mac = hex(crypto.path("mac"), name);
            JsonNode params = crypto.path("kdfparams");
            byte[] salt = hex(params.path("salt"), name);
            int dklen = params.path("dklen").asInt(-1);
            if (iv.length != 16 || ciphertext.length != 32 || mac.length != 32 || dklen != 32) {
                throw notAKeystore(name);
            }
            byte[] pw = password.getBytes(StandardCharsets.UTF_8);
            derived = switch (crypto.path("kdf").asText()) {
                case "scrypt" -> scrypt(name, pw, salt, params);
                case "pbkdf2" -> pbkdf2(name, pw, salt, params);
                default -> throw cannotOpen(name);
            };
        } catch (JsonProcessingException e) {
            // Jackson's message quotes the input, which is the encrypted key: leave it out.
            throw notAKeystore(name);
        }
        byte[] macBody = new byte[16 + ciphertext.length];
        System.arraycopy(derived, 16, macBody, 0, 16);
        System.arraycopy(ciphertext, 0, macBody, 16, ciphertext.length);
        if (!MessageDigest.isEqual(Hash.sha3(macBody), mac)) {
            throw BrizoException.configuration(
                    "PROVIDER_PASSWORD does not open " + name + ": wrong password, or the keystore is damaged");
        }
        byte[] plain;
        try {
            Cipher aes = Cipher.getInstance("AES/CTR/NoPadding");
            aes.init(
                    Cipher.DECRYPT_MODE,
                    new SecretKeySpec(Arrays.copyOfRange(derived, 0, 16), "AES"),
                    new IvParameterSpec(iv));
            plain = aes.doFinal(ciphertext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CTR is missing from this JDK", e);
        } finally {
            Arrays.fill(derived, (byte) 0);
        }
        BigInteger priv = new BigInteger(1, plain);
        Arrays.fill(plain, (byte) 0);
        if (!inRange(priv)) {
            throw BrizoException.configuration(name + " holds no valid secp256k1 private key");
        }
        return ECKeyPair.create(priv);
    }

    private static byte[] scrypt(String name, byte[] password, byte[] salt, JsonNode params) {
        long n = params.path("n").asLong(-1);
        long r = params.path("r").asLong(-1);
        long p = params.path("p").asLong(-1);
        // n a power of two above 1; memory (128 r n) and work bounded, so that a keystore cannot
        // make the server take gigabytes or hours at start (geth's standard: n 2^18, r 8, p 1).
        if (n < 2 || (n & (n - 1)) != 0 || r < 1 || p < 1 || p > 16 || 128L * r * n > MAX_SCRYPT_BYTES) {
            throw cannotOpen(name);
        }
        return SCrypt.generate(password, salt, (int) n, (int) r, (int) p, 32);
    }

    private static byte[] pbkdf2(String name, byte[] password, byte[] salt, JsonNode params) {
        long c = params.path("c").asLong(-1);
        if (!"hmac-sha256".equals(params.path("prf").asText()) || c < 1 || c > MAX_PBKDF2_ROUNDS) {
            throw cannotOpen(name);
        }
        PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(new SHA256Digest());
        gen.init(password, salt, (int) c);
        return ((KeyParameter) gen.generateDerivedParameters(256)).getKey();
    }

    private static byte[] hex(JsonNode node, String name) {
        String s = node.asText("");
        if (s.startsWith("0x")) {
            s = s.substring(2);
        }
        try {
            return HexFormat.of().parseHex(s);
        } catch (IllegalArgumentException e) {
            throw notAKeystore(name);
        }
    }

    private static BrizoException cannotOpen(String name) {
        return BrizoException.configuration(name + " is a keystore this server cannot open: version 3 with"
                + " aes-128-ctr, and scrypt (at most 512 MiB of memory, p at most 16) or pbkdf2 with hmac-sha256"
                + " (at most 10 million rounds), is expected");
    }

    private static BrizoException notAKeystore(String name) {
        return BrizoException.configuration(name + " is not a keystore v3 JSON (an object with \"crypto\","
                + " \"version\": 3, as geth, web3j or ethers write it)");
    }
}
