package io.brizo.storage.azure;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1, made for one test by the JDK's own {@code keytool} into a
 * PKCS#12 file, and an {@link SSLContext} that presents it (for a server of the test's) and trusts
 * only it (for the clients). Azurite reads the same file ({@code --cert} with {@code --pwd}).
 */
final class TestTls {
    private final Path pkcs12;
    private final String password;
    private final SSLContext context;

    private TestTls(Path pkcs12, String password, SSLContext context) {
        this.pkcs12 = pkcs12;
        this.password = password;
        this.context = context;
    }

    /** Makes the certificate in {@code dir}. */
    static TestTls create(Path dir) throws IOException, GeneralSecurityException, InterruptedException {
        Path file = dir.resolve("tls-" + UUID.randomUUID() + ".p12");
        String password = UUID.randomUUID().toString();
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(List.of(
                        keytool.toString(),
                        "-genkeypair",
                        "-alias",
                        "localhost",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-dname",
                        "CN=127.0.0.1",
                        "-ext",
                        "SAN=ip:127.0.0.1",
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        file.toString(),
                        "-storepass",
                        password,
                        "-keypass",
                        password))
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("keytool failed: " + out);
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password.toCharArray());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        return new TestTls(file, password, ctx);
    }

    /** {@return the PKCS#12 file holding the key and certificate} */
    Path pkcs12() {
        return pkcs12;
    }

    /** {@return the file's password} */
    String password() {
        return password;
    }

    /** {@return a context that presents the certificate and trusts only it} */
    SSLContext context() {
        return context;
    }
}
