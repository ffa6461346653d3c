package io.brizo.examples;

import io.brizo.spi.BrizoException;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's TLS identity from {@code BRIZO_TLS_CERT} + {@code BRIZO_TLS_KEY} (PEM) or {@code
 * BRIZO_TLS_KEYSTORE} + {@code BRIZO_TLS_KEYSTORE_PASSWORD} (PKCS12), checked at start so that a
 * wrong file stops {@code serve} with a message naming the setting, not at the first handshake.
 */
final class Tls {
    private static final Pattern PRIVATE_KEY =
            Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private Tls() {}

    /**
     * A key store holding one key entry and its chain, and the password of the store and the key.
     */
    record Identity(KeyStore keyStore, String password) {
        @Override
        public String toString() {
            return "Identity[keyStore=" + keyStore.getType() + ", password=****]";
        }
    }

    /**
     * {@return the configured identity, or null if no TLS setting is given}
     *
     * @throws BrizoException of kind CONFIGURATION naming the setting whose file is missing or wrong
     */
    static Identity identity(Settings s) {
        boolean pem = s.has(ServeSettings.TLS_CERT.name()) || s.has(ServeSettings.TLS_KEY.name());
        boolean pkcs12 = s.has(ServeSettings.TLS_KEYSTORE.name());
        if (pem && pkcs12) {
            throw BrizoException.configuration(
                    "set either BRIZO_TLS_CERT and BRIZO_TLS_KEY (PEM) or" + " BRIZO_TLS_KEYSTORE (PKCS12), not both");
        }
        if (pkcs12) {
            return fromKeyStore(s);
        }
        if (!pem) {
            if (s.has(ServeSettings.TLS_KEYSTORE_PASSWORD.name())) {
                throw BrizoException.configuration(
                        "BRIZO_TLS_KEYSTORE_PASSWORD is set but BRIZO_TLS_KEYSTORE is not; set both or neither");
            }
            return null;
        }
        if (!s.has(ServeSettings.TLS_CERT.name()) || !s.has(ServeSettings.TLS_KEY.name())) {
            throw BrizoException.configuration("BRIZO_TLS_CERT and BRIZO_TLS_KEY go together: set both (PEM"
                    + " certificate chain and its PKCS#8 private key) or neither");
        }
        List<X509Certificate> chain = certificates(s, ServeSettings.TLS_CERT);
        PrivateKey key = privateKey(s, ServeSettings.TLS_KEY);
        if (!matches(key, chain.get(0))) {
            throw BrizoException.configuration("the key in BRIZO_TLS_KEY does not belong to the first certificate"
                    + " in BRIZO_TLS_CERT; check that they are a pair and that the chain starts with the server's"
                    + " own certificate");
        }
        try {
            String password = randomPassword();
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("brizo", key, password.toCharArray(), chain.toArray(new Certificate[0]));
            return new Identity(store, password);
        } catch (GeneralSecurityException | IOException e) {
            throw BrizoException.configuration("cannot build a key store from BRIZO_TLS_CERT and BRIZO_TLS_KEY: "
                    + e.getClass().getSimpleName());
        }
    }

    private static Identity fromKeyStore(Settings s) {
        SettingKey file = ServeSettings.TLS_KEYSTORE;
        String password = s.get(ServeSettings.TLS_KEYSTORE_PASSWORD.name())
                .orElseThrow(() -> BrizoException.configuration(
                        "BRIZO_TLS_KEYSTORE needs BRIZO_TLS_KEYSTORE_PASSWORD, the password of the PKCS12 file"));
        byte[] bytes = read(s, file);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = new ByteArrayInputStream(bytes)) {
                store.load(in, password.toCharArray());
            }
            boolean hasKey = false;
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    store.getKey(alias, password.toCharArray());
                    hasKey = true;
                }
            }
            if (!hasKey) {
                throw BrizoException.configuration(
                        "BRIZO_TLS_KEYSTORE holds no private key; it needs the server's key and certificate chain");
            }
            return new Identity(store, password);
        } catch (IOException e) {
            throw BrizoException.configuration(
                    e.getCause() instanceof UnrecoverableKeyException
                            ? "BRIZO_TLS_KEYSTORE_PASSWORD does not open BRIZO_TLS_KEYSTORE; check the password"
                            : "BRIZO_TLS_KEYSTORE cannot be read as a PKCS12 file with BRIZO_TLS_KEYSTORE_PASSWORD"
                                    + " (wrong password, or not PKCS12)");
        } catch (UnrecoverableKeyException e) {
            throw BrizoException.configuration("the key in BRIZO_TLS_KEYSTORE does not open with"
                    + " BRIZO_TLS_KEYSTORE_PASSWORD; the store and its key must share the password");
        } catch (GeneralSecurityException e) {
            throw BrizoException.configuration("BRIZO_TLS_KEYSTORE cannot be read as PKCS12: "
                    + e.getClass().getSimpleName());
        }
    }

    private static List<X509Certificate> certificates(Settings s, SettingKey key) {
        byte[] bytes = read(s, key);
        try {
            Collection<? extends Certificate> certs =
                    CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
            if (certs.isEmpty()) {
                throw new CertificateException("no certificate");
            }
            return certs.stream().map(X509Certificate.class::cast).toList();
        } catch (CertificateException e) {
            throw BrizoException.configuration(key.name() + " " + shown(s, key) + "holds no PEM certificate; it"
                    + " needs the chain as -----BEGIN CERTIFICATE----- blocks, the server's own first");
        }
    }

    private static PrivateKey privateKey(Settings s, SettingKey key) {
        String pem = new String(read(s, key), StandardCharsets.US_ASCII);
        Matcher m = PRIVATE_KEY.matcher(pem);
        if (!m.find()) {
            String hint = pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")
                    ? "it holds a PKCS#1/SEC1 key; convert it with"
                            + " openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem"
                    : pem.contains("BEGIN ENCRYPTED PRIVATE KEY")
                            ? "it is encrypted; decrypt it with openssl pkcs8 -in key.pem -out key-pkcs8.pem, or use"
                                    + " BRIZO_TLS_KEYSTORE with a password"
                            : "it needs an unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----)";
            throw BrizoException.configuration(key.name() + " holds no usable private key: " + hint);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(1).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw BrizoException.configuration(key.name() + " holds a private key block that is not valid base64");
        }
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw BrizoException.configuration(key.name() + " holds a PKCS#8 key that is neither RSA, EC nor Ed25519");
    }

    /** {@return whether {@code key} signs what the certificate's public key verifies} */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        String algorithm =
                switch (key.getAlgorithm()) {
                    case "RSA" -> "SHA256withRSA";
                    case "EC" -> "SHA256withECDSA";
                    default -> "Ed25519";
                };
        try {
            byte[] probe = "brizo".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static byte[] read(Settings s, SettingKey key) {
        Path path = Path.of(s.get(key.name()).orElseThrow().trim());
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw BrizoException.configuration(
                    key.name() + " " + shown(s, key) + "names a file that does not exist; check the path");
        } catch (IOException e) {
            throw BrizoException.configuration(key.name() + " " + shown(s, key) + "names a file that cannot be read ("
                    + e.getClass().getSimpleName() + "); check the path and its permissions");
        }
    }

    /** {@return the value in quotes and a space, or nothing for a setting whose name is secret} */
    private static String shown(Settings s, SettingKey key) {
        return Settings.isSecretName(key.name()) ? "" : "'" + s.get(key.name()).orElse("") + "' ";
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
