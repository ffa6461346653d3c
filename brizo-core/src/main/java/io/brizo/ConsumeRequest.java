package io.brizo;

/**
 * A consume request exactly as the consumer sent it: raw text, validated by {@link
 * Brizo#consume(ConsumeRequest)} so every binding rejects bad input the same way. Null means
 * absent.
 *
 * @param agreementId {@code serviceAgreementId}: 64 hex digits, {@code 0x} optional; signed
 *     exactly as sent
 * @param consumerAddress {@code consumerAddress}: {@code 0x} and 40 hex digits
 * @param signature {@code signature}: 65 bytes as hex
 * @param index {@code index}: which file of the asset, from 0
 * @param nonce {@code nonce}: a decimal number greater than the last one this consumer used, for
 *     the replay-safe signature form; null for the Brizo form
 * @param url {@code url}: the old squid-java form, accepted only when the publisher enables it
 */
public record ConsumeRequest(
        String agreementId, String consumerAddress, String signature, String index, String nonce, String url) {

    /** {@return a builder} */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link ConsumeRequest}. */
    public static final class Builder {
        private String agreementId;
        private String consumerAddress;
        private String signature;
        private String index;
        private String nonce;
        private String url;

        private Builder() {}

        /** Sets {@code serviceAgreementId}. */
        public Builder agreementId(String agreementId) {
            this.agreementId = agreementId;
            return this;
        }

        /** Sets {@code consumerAddress}. */
        public Builder consumerAddress(String consumerAddress) {
            this.consumerAddress = consumerAddress;
            return this;
        }

        /** Sets {@code signature}. */
        public Builder signature(String signature) {
            this.signature = signature;
            return this;
        }

        /** Sets {@code index}. */
        public Builder index(String index) {
            this.index = index;
            return this;
        }

        /** Sets {@code index}. */
        public Builder index(int index) {
            this.index = Integer.toString(index);
            return this;
        }

        /** Sets {@code nonce}. */
        public Builder nonce(String nonce) {
            this.nonce = nonce;
            return this;
        }

        /** Sets {@code nonce}. */
        public Builder nonce(long nonce) {
            this.nonce = Long.toString(nonce);
            return this;
        }

        /** Sets the old {@code url} parameter. */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        /** {@return the request} */
        public ConsumeRequest build() {
            return new ConsumeRequest(agreementId, consumerAddress, signature, index, nonce, url);
        }
    }
}
