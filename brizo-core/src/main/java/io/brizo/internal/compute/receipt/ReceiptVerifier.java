package io.brizo.internal.compute.receipt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.brizo.internal.auth.Eip191;
import io.brizo.spi.BrizoException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.web3j.crypto.Hash;
import org.web3j.utils.Numeric;

/**
 * Verifies a receipt envelope as any client would: recomputes keccak256 over the RFC 8785 bytes of
 * the statement it holds (the envelope's own {@code hash} is not trusted, only compared), recovers
 * the EIP-191 signer of that hash, and compares it with the provider the statement names and, when
 * given, the expected one. Optionally recomputes the SHA-256 of each subject from downloaded files.
 */
public final class ReceiptVerifier {
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
    private static final Pattern ADDRESS = Pattern.compile("0x[0-9a-fA-F]{40}");

    private ReceiptVerifier() {}

    /** A receipt that failed a check; the message says which, in one line. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A receipt whose signature checked out.
     *
     * @param statement the statement
     * @param hash the recomputed hash, {@code 0x} hex
     * @param signer the recovered signer, lowercase {@code 0x} address
     */
    public record Verified(JsonNode statement, String hash, String signer) {
        /** {@return the names and SHA-256 digests of the statement's subjects} */
        public List<String[]> subjects() {
            List<String[]> out = new ArrayList<>();
            for (JsonNode s : statement.path("subject")) {
                out.add(new String[] {
                    s.path("name").asText(), s.path("digest").path("sha256").asText()
                });
            }
            return out;
        }
    }

    /**
     * {@return the verified receipt}
     *
     * @param envelope the receipt as served: {@code {"statement", "hash", "signature", "signer"}}
     * @param expectedProvider the provider address it must be signed by, or null to accept the
     *     provider the statement names
     * @throws Invalid if it is not a receipt, is unsigned, or any check fails
     */
    public static Verified verify(byte[] envelope, String expectedProvider) throws Invalid {
        JsonNode root;
        try {
            root = STRICT.readTree(envelope);
        } catch (JsonProcessingException e) {
            throw new Invalid("the file is not one JSON document (or names a key twice)");
        } catch (IOException e) {
            throw new Invalid("the file cannot be read as JSON");
        }
        if (root == null || !root.isObject() || !root.path("statement").isObject()) {
            throw new Invalid("the file is not a receipt: no statement object");
        }
        JsonNode statement = root.get("statement");
        if (!ComputeReceipts.STATEMENT_TYPE.equals(statement.path("_type").asText())) {
            throw new Invalid("the statement is not an in-toto Statement v1");
        }
        if (!ComputeReceipts.PREDICATE_TYPE.equals(
                statement.path("predicateType").asText())) {
            throw new Invalid("the statement's predicateType is not " + ComputeReceipts.PREDICATE_TYPE);
        }
        byte[] canonical;
        try {
            canonical = CanonicalJson.bytes(statement);
        } catch (IllegalArgumentException e) {
            throw new Invalid("the statement has no canonical form: " + e.getMessage());
        }
        String hash = Numeric.toHexString(Hash.sha3(canonical));
        JsonNode signature = root.path("signature");
        if (!signature.isTextual()) {
            throw new Invalid("the receipt is unsigned (the provider has no key)");
        }
        String signer;
        try {
            signer = Eip191.recover(Numeric.hexStringToByteArray(hash), signature.asText());
        } catch (BrizoException e) {
            throw new Invalid("the signature is malformed or recovers no key");
        }
        String stated = root.path("hash").asText("");
        if (!stated.equalsIgnoreCase(hash)) {
            throw new Invalid("the statement does not match the receipt's hash (recomputed " + hash + ")");
        }
        String named = statement.path("predicate").path("provider").asText("");
        if (!named.equalsIgnoreCase(signer)) {
            throw new Invalid("signed by " + signer + ", not by the provider the statement names ("
                    + (named.isEmpty() ? "none" : named) + ")");
        }
        JsonNode claimedSigner = root.path("signer");
        if (claimedSigner.isTextual() && !claimedSigner.asText().equalsIgnoreCase(signer)) {
            throw new Invalid(
                    "signed by " + signer + ", not by the signer the receipt claims (" + claimedSigner.asText() + ")");
        }
        if (expectedProvider != null) {
            if (!ADDRESS.matcher(expectedProvider).matches()) {
                throw new Invalid("the expected provider must be 0x and 40 hex digits");
            }
            if (!expectedProvider.equalsIgnoreCase(signer)) {
                throw new Invalid("signed by " + signer + ", not by the provider " + expectedProvider);
            }
        }
        return new Verified(statement, hash, signer.toLowerCase(Locale.ROOT));
    }

    /**
     * Recomputes the SHA-256 of every output subject ({@code outputs/<name>}) from {@code
     * outputs/<name>}'s file {@code <name>} under {@code dir}, and of the log subject from {@code
     * log} when given.
     *
     * @return the number of files checked
     * @throws Invalid at the first missing or different file
     */
    public static int checkFiles(Verified receipt, Path dir, Path log) throws Invalid, IOException {
        int checked = 0;
        for (String[] s : receipt.subjects()) {
            String name = s[0];
            Path file;
            if (name.startsWith(ComputeReceipts.OUTPUTS_PREFIX)) {
                if (dir == null) {
                    continue;
                }
                file = inside(dir, name.substring(ComputeReceipts.OUTPUTS_PREFIX.length()));
            } else if (name.startsWith(ComputeReceipts.LOGS_PREFIX)) {
                if (log == null) {
                    continue;
                }
                file = log;
            } else {
                throw new Invalid("the subject " + name + " is neither an output nor the log");
            }
            if (!Files.isRegularFile(file)) {
                throw new Invalid("the subject " + name + " has no file " + file);
            }
            String actual = sha256(file);
            if (!actual.equalsIgnoreCase(s[1])) {
                throw new Invalid("the file " + file + " does not match the subject " + name + " (sha256 " + actual
                        + ", receipt " + s[1] + ")");
            }
            checked++;
        }
        return checked;
    }

    private static Path inside(Path dir, String relative) throws Invalid {
        Path base = dir.toAbsolutePath().normalize();
        Path file = base.resolve(relative).normalize();
        if (relative.isEmpty() || Path.of(relative).isAbsolute() || !file.startsWith(base) || file.equals(base)) {
            throw new Invalid("the subject outputs/" + relative + " names no file inside the outputs folder");
        }
        return file;
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
