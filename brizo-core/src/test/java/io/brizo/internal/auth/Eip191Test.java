package io.brizo.internal.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

class Eip191Test {
    static final String AGREEMENT_ID = "b7ab65c9d8a4b2e6f1c0a9d8e7f6a5b4c3d2e1f00112233445566778899aabbc";
    static final String ANVIL_KEY_0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    static final String ANVIL_ADDRESS_0 = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

    static ECKeyPair newKey() {
        try {
            return Keys.createEcKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void brizoFormRoundTripRecoversTheSigner() {
        for (int i = 0; i < 8; i++) {
            ECKeyPair key = newKey();
            String signature = Eip191.signBrizoForm(AGREEMENT_ID, key);
            assertEquals(Eip191.addressOf(key), Eip191.recoverBrizoForm(AGREEMENT_ID, signature));
        }
    }

    @Test
    void nonceFormRoundTripRecoversTheSigner() {
        for (int i = 0; i < 8; i++) {
            ECKeyPair key = newKey();
            String text = Eip191.addressOf(key) + AGREEMENT_ID;
            String signature = Eip191.signNonceForm(text, 1_700_000_000_000L + i, key);
            assertEquals(Eip191.addressOf(key), Eip191.recoverNonceForm(text, 1_700_000_000_000L + i, signature));
        }
    }

    @Test
    void signaturesAreHexWithPrefixAndRecoveryByte27Or28() {
        ECKeyPair key = Eip191.keyPairOf(ANVIL_KEY_0);
        Set<Integer> recoveryBytes = new HashSet<>();
        // signing is deterministic (RFC 6979), so these texts always yield the same recovery bytes
        for (int i = 0; i < 64 && recoveryBytes.size() < 2; i++) {
            String signature = Eip191.signBrizoForm(AGREEMENT_ID + i, key);
            assertTrue(signature.matches("0x[0-9a-f]{130}"), signature);
            recoveryBytes.add(Integer.parseInt(signature.substring(130), 16));
        }
        assertEquals(Set.of(27, 28), recoveryBytes);
    }

    @Test
    void recoveryByteZeroOrOneIsAcceptedLike27Or28() {
        ECKeyPair key = Eip191.keyPairOf(ANVIL_KEY_0);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 64 && seen.size() < 2; i++) {
            String text = AGREEMENT_ID + i;
            String signature = Eip191.signBrizoForm(text, key);
            int v = Integer.parseInt(signature.substring(130), 16);
            seen.add(v);
            String lowV = signature.substring(0, 130) + String.format("%02x", v - 27);
            assertEquals(ANVIL_ADDRESS_0, Eip191.recoverBrizoForm(text, lowV));
        }
        assertEquals(Set.of(27, 28), seen);
    }

    @Test
    void signatureWithoutPrefixOrInUpperCaseIsAccepted() {
        ECKeyPair key = newKey();
        String signature = Eip191.signBrizoForm(AGREEMENT_ID, key);
        String digits = signature.substring(2);
        assertEquals(Eip191.addressOf(key), Eip191.recoverBrizoForm(AGREEMENT_ID, digits));
        assertEquals(
                Eip191.addressOf(key), Eip191.recoverBrizoForm(AGREEMENT_ID, "0X" + digits.toUpperCase(Locale.ROOT)));
    }

    @Test
    void signatureOfAnotherKeyRecoversAnotherAddress() {
        ECKeyPair signer = newKey();
        ECKeyPair other = newKey();
        String signature = Eip191.signBrizoForm(AGREEMENT_ID, signer);
        assertNotEquals(Eip191.addressOf(other), Eip191.recoverBrizoForm(AGREEMENT_ID, signature));
    }

    @Test
    void signatureOverOtherTextRecoversAnotherAddress() {
        ECKeyPair key = newKey();
        String signature = Eip191.signBrizoForm(AGREEMENT_ID, key);
        assertNotEquals(Eip191.addressOf(key), Eip191.recoverBrizoForm("0x" + AGREEMENT_ID, signature));
    }

    @Test
    void aRepeatedSignatureRecoversTheSameSignerAndNeverAnswersForOtherText() {
        ECKeyPair key = newKey();
        String signature = Eip191.signBrizoForm(AGREEMENT_ID, key);
        for (int i = 0; i < 3; i++) {
            assertEquals(Eip191.addressOf(key), Eip191.recoverBrizoForm(AGREEMENT_ID, signature));
            // The same signature over other text (kept from the first recovery or not) is another signer.
            assertNotEquals(Eip191.addressOf(key), Eip191.recoverBrizoForm(AGREEMENT_ID + "0", signature));
        }
    }

    @Test
    void formsAndNoncesAreNotInterchangeable() {
        ECKeyPair key = newKey();
        String address = Eip191.addressOf(key);
        String brizo = Eip191.signBrizoForm(AGREEMENT_ID + 7, key);
        String nonce = Eip191.signNonceForm(AGREEMENT_ID, 7, key);
        assertNotEquals(address, Eip191.recoverNonceForm(AGREEMENT_ID, 7, brizo));
        assertNotEquals(address, Eip191.recoverBrizoForm(AGREEMENT_ID + 7, nonce));
        assertNotEquals(address, Eip191.recoverNonceForm(AGREEMENT_ID, 8, nonce));
    }

    @Test
    void brizoFormPrefixesTheUtf8ByteLength() {
        ECKeyPair key = newKey();
        String text = "Zürich ✓";
        // web3j's own prefixed signing counts bytes; a character count would give another hash
        Sign.SignatureData data = Sign.signPrefixedMessage(text.getBytes(StandardCharsets.UTF_8), key);
        String signature = "0x" + hex(data.getR()) + hex(data.getS()) + hex(data.getV());
        assertEquals(Eip191.addressOf(key), Eip191.recoverBrizoForm(text, signature));
    }

    static Stream<String> malformedSignatures() {
        return Stream.of(
                "",
                "0x",
                "0x1234",
                // 64 and 66 bytes
                "0x" + "11" + "22".repeat(63),
                "0x" + "11".repeat(65) + "1b",
                // odd number of digits
                "0x" + "1".repeat(131),
                // a non-hex letter and a non-ASCII digit
                "0x" + "g1".repeat(64) + "1b",
                "0x" + "\u0663\u0663".repeat(64) + "1b",
                " 0x" + "11".repeat(64) + "1b");
    }

    @ParameterizedTest
    @MethodSource("malformedSignatures")
    void malformedSignatureIsInvalidRequest(String signature) {
        BrizoException e = assertThrows(BrizoException.class, () -> Eip191.recoverBrizoForm(AGREEMENT_ID, signature));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
        if (signature.length() > 4) {
            assertFalse(e.getMessage().contains(signature.substring(4)), e.getMessage());
        }
    }

    @Test
    void missingSignatureIsInvalidRequest() {
        BrizoException e = assertThrows(BrizoException.class, () -> Eip191.recoverBrizoForm(AGREEMENT_ID, null));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 26, 29, 37, 38, 255})
    void unknownRecoveryByteIsInvalidRequest(int v) {
        String signature = Eip191.signBrizoForm(AGREEMENT_ID, newKey()).substring(0, 130) + String.format("%02x", v);
        BrizoException e = assertThrows(BrizoException.class, () -> Eip191.recoverBrizoForm(AGREEMENT_ID, signature));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
        assertTrue(e.getMessage().contains("v=" + v), e.getMessage());
    }

    @Test
    void signatureThatNamesNoPublicKeyIsUnauthenticated() {
        BigInteger n = Sign.CURVE_PARAMS.getN();
        String valid = Eip191.signBrizoForm(AGREEMENT_ID, newKey()).substring(2);
        String r = valid.substring(0, 64);
        String s = valid.substring(64, 128);
        String[] broken = {
            word(BigInteger.ZERO) + s + "1b",
            r + word(BigInteger.ZERO) + "1c",
            word(n) + s + "1b",
            r + word(n) + "1b",
            "ff".repeat(32) + s + "1b",
            word(xWithoutCurvePoint()) + s + "1b",
        };
        for (String signature : broken) {
            BrizoException e =
                    assertThrows(BrizoException.class, () -> Eip191.recoverBrizoForm(AGREEMENT_ID, signature));
            assertEquals(ErrorKind.UNAUTHENTICATED, e.kind(), signature);
        }
    }

    @Test
    void addressOfTheWellKnownDevelopmentKeyIsItsAccount() {
        assertEquals(ANVIL_ADDRESS_0, Eip191.addressOfPrivateKey(ANVIL_KEY_0));
        assertEquals(ANVIL_ADDRESS_0, Eip191.addressOfPrivateKey(ANVIL_KEY_0.substring(2)));
        assertEquals(ANVIL_ADDRESS_0, Eip191.addressOf(Eip191.keyPairOf(ANVIL_KEY_0)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff8",
                "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80aa",
                "0xzc0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
                "0x0000000000000000000000000000000000000000000000000000000000000000",
                "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
            })
    void malformedPrivateKeyIsConfigurationErrorThatDoesNotRepeatIt(String key) {
        BrizoException e = assertThrows(BrizoException.class, () -> Eip191.keyPairOf(key));
        assertEquals(ErrorKind.CONFIGURATION, e.kind());
        if (!key.isEmpty()) {
            assertFalse(e.getMessage().contains(key.substring(2, 20)), e.getMessage());
        }
    }

    @Test
    void addressIsNormalisedToLowerCaseWithPrefix() {
        String checksummed = Keys.toChecksumAddress(ANVIL_ADDRESS_0);
        assertEquals(ANVIL_ADDRESS_0, Eip191.normaliseAddress(checksummed));
        assertEquals(ANVIL_ADDRESS_0, Eip191.normaliseAddress(ANVIL_ADDRESS_0.substring(2)));
        assertEquals(ANVIL_ADDRESS_0, Eip191.normaliseAddress(ANVIL_ADDRESS_0.toUpperCase(Locale.ROOT)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "0x",
                "0xf39fd6e51aad88f6f4ce6ab8827279cfffb9226",
                "0xf39fd6e51aad88f6f4ce6ab8827279cfffb922666",
                "0xg39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                "did:op:f39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            })
    void malformedAddressIsInvalidRequest(String address) {
        BrizoException e = assertThrows(BrizoException.class, () -> Eip191.normaliseAddress(address));
        assertEquals(ErrorKind.INVALID_REQUEST, e.kind());
        assertEquals(
                ErrorKind.INVALID_REQUEST,
                assertThrows(BrizoException.class, () -> Eip191.normaliseAddress(null))
                        .kind());
    }

    /** {@return the smallest x for which x^3 + 7 has no square root modulo p, so no point has it} */
    private static BigInteger xWithoutCurvePoint() {
        BigInteger p = Sign.CURVE_PARAMS.getCurve().getField().getCharacteristic();
        BigInteger half = p.subtract(BigInteger.ONE).shiftRight(1);
        for (BigInteger x = BigInteger.ONE; ; x = x.add(BigInteger.ONE)) {
            BigInteger rhs = x.pow(3).add(BigInteger.valueOf(7)).mod(p);
            if (rhs.modPow(half, p).equals(p.subtract(BigInteger.ONE))) {
                return x;
            }
        }
    }

    private static String word(BigInteger value) {
        return String.format("%064x", value);
    }

    private static String hex(byte[] bytes) {
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            out.append(String.format("%02x", b));
        }
        return out.toString();
    }
}
