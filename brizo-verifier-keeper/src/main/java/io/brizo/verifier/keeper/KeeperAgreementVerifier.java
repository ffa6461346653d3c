package io.brizo.verifier.keeper;

import io.brizo.spi.AgreementClaim;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.ServiceType;
import io.brizo.spi.Verdict;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.abi.EventEncoder;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.FunctionReturnDecoder;
import org.web3j.abi.TypeReference;
import org.web3j.abi.datatypes.Address;
import org.web3j.abi.datatypes.Bool;
import org.web3j.abi.datatypes.DynamicArray;
import org.web3j.abi.datatypes.Event;
import org.web3j.abi.datatypes.Function;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.generated.Bytes32;
import org.web3j.abi.datatypes.generated.Uint256;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.Response;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.utils.Numeric;

/**
 * Verifies service agreements against the Ocean keeper contracts, as Brizo did.
 *
 * <ul>
 *   <li>ACCESS: the agreement exists ({@code AgreementStoreManager.getAgreement}); the DID's
 *       owner gave the consumer direct permission ({@code DIDRegistry.getPermission}), or the
 *       consumer is an actor of the agreement ({@code AgreementActorAdded}) and {@code
 *       AccessSecretStoreCondition.checkPermissions} says yes.
 *   <li>COMPUTE: actor, and {@code ComputeExecutionCondition.wasComputeTriggered}.
 *   <li>Expiry: grants through the agreement carry the time of block {@code blockNumberUpdated};
 *       the facade adds the asset's service timeout.
 * </ul>
 *
 * <p>Fails closed: an unreachable, failing or slow node is a retryable UNAVAILABLE, never a
 * grant. Grants are cached for a configurable time; denials are not, so a consumer who just
 * bought access is let in at once.
 */
final class KeeperAgreementVerifier implements ServiceAgreementVerifier, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeeperAgreementVerifier.class);
    private static final int MAX_CACHED = 100_000;

    static final Event AGREEMENT_ACTOR_ADDED = new Event(
            "AgreementActorAdded",
            List.of(
                    new TypeReference<Bytes32>(true) {},
                    new TypeReference<Address>(true) {},
                    new TypeReference<Bytes32>(false) {}));
    private static final String ACTOR_ADDED_TOPIC = EventEncoder.encode(AGREEMENT_ACTOR_ADDED);

    /** Contract addresses; the compute condition may be null when no compute is offered. */
    record Contracts(
            String agreementStoreManager,
            String accessSecretStoreCondition,
            String computeExecutionCondition,
            String didRegistry) {}

    private record CachedVerdict(Verdict verdict, long expiresAtNanos) {}

    private final Web3j web3;
    private final Runnable closeTransport;
    private final Contracts contracts;
    private final Long expectedChainId;
    private final DefaultBlockParameter fromBlock;
    private final Duration cacheTtl;
    private final Map<AgreementClaim, CachedVerdict> cache = new ConcurrentHashMap<>();
    private volatile boolean chainChecked;

    KeeperAgreementVerifier(
            Web3j web3,
            Runnable closeTransport,
            Contracts contracts,
            Long expectedChainId,
            long fromBlock,
            Duration cacheTtl) {
        this.web3 = web3;
        this.closeTransport = closeTransport;
        this.contracts = contracts;
        this.expectedChainId = expectedChainId;
        this.fromBlock = DefaultBlockParameter.valueOf(BigInteger.valueOf(fromBlock));
        this.cacheTtl = cacheTtl;
        this.chainChecked = expectedChainId == null;
    }

    @Override
    public Verdict verify(AgreementClaim claim) {
        CachedVerdict cached = cache.get(claim);
        long now = System.nanoTime();
        if (cached != null && now - cached.expiresAtNanos < 0) {
            return cached.verdict;
        }
        Verdict verdict = verifyOnChain(claim);
        if (verdict.isGranted() && !cacheTtl.isZero()) {
            if (cache.size() >= MAX_CACHED) {
                cache.values().removeIf(c -> now - c.expiresAtNanos >= 0);
                if (cache.size() >= MAX_CACHED) {
                    cache.clear();
                }
            }
            cache.put(claim, new CachedVerdict(verdict, now + cacheTtl.toNanos()));
        }
        return verdict;
    }

    /** Asks the node for its latest block number (after its chain id, when one is expected). */
    @Override
    public void checkAvailable() {
        requireExpectedChain();
        send(() -> web3.ethBlockNumber().send());
    }

    // web3j's decoder returns raw Type lists; the function's output declaration fixes their types.
    @SuppressWarnings("rawtypes")
    private Verdict verifyOnChain(AgreementClaim claim) {
        requireExpectedChain();
        String agreementId = "0x" + claim.agreementId();
        List<Type> agreement = call(
                contracts.agreementStoreManager,
                new Function(
                        "getAgreement",
                        List.of(new Bytes32(Numeric.hexStringToByteArray(agreementId))),
                        List.of(
                                new TypeReference<Bytes32>() {},
                                new TypeReference<Address>() {},
                                new TypeReference<Address>() {},
                                new TypeReference<DynamicArray<Bytes32>>() {},
                                new TypeReference<Address>() {},
                                new TypeReference<Uint256>() {})));
        byte[] did = ((Bytes32) agreement.get(0)).getValue();
        if (isZero(did)) {
            return Verdict.denied("no service agreement with this id exists");
        }
        String didText = "did:op:" + Numeric.toHexStringNoPrefix(did);
        Bytes32 didValue = new Bytes32(did);
        Address consumer = new Address(claim.consumer());
        if (claim.service() == ServiceType.ACCESS
                && isTrue(call(contracts.didRegistry, boolFunction("getPermission", didValue, consumer)))) {
            return Verdict.granted(didText, null);
        }
        if (!isActor(agreementId, claim.consumer())) {
            return Verdict.denied("the consumer is not a party to this service agreement");
        }
        boolean fulfilled;
        if (claim.service() == ServiceType.ACCESS) {
            fulfilled = isTrue(
                    call(contracts.accessSecretStoreCondition, boolFunction("checkPermissions", consumer, didValue)));
        } else {
            if (contracts.computeExecutionCondition == null) {
                return Verdict.denied("this publisher does not offer compute");
            }
            fulfilled = isTrue(
                    call(contracts.computeExecutionCondition, boolFunction("wasComputeTriggered", didValue, consumer)));
        }
        if (!fulfilled) {
            return Verdict.denied("the " + claim.service().name().toLowerCase(Locale.ROOT)
                    + " condition of this service agreement is not fulfilled for this consumer");
        }
        BigInteger blockNumberUpdated = ((Uint256) agreement.get(5)).getValue();
        return Verdict.grantedSince(didText, blockTime(blockNumberUpdated));
    }

    private boolean isActor(String agreementId, String consumer) {
        EthFilter filter = new EthFilter(fromBlock, DefaultBlockParameterName.LATEST, contracts.agreementStoreManager);
        filter.addSingleTopic(ACTOR_ADDED_TOPIC);
        filter.addSingleTopic(agreementId);
        filter.addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(Numeric.toBigInt(consumer), 64));
        EthLog logs = send(() -> web3.ethGetLogs(filter).send());
        return !logs.getLogs().isEmpty();
    }

    private Instant blockTime(BigInteger number) {
        EthBlock block = send(() -> web3.ethGetBlockByNumber(DefaultBlockParameter.valueOf(number), false)
                .send());
        if (block.getBlock() == null) {
            throw unavailable("the chain node does not know the agreement's block", null);
        }
        return Instant.ofEpochSecond(block.getBlock().getTimestamp().longValueExact());
    }

    private void requireExpectedChain() {
        if (chainChecked) {
            return;
        }
        long actual = send(() -> web3.ethChainId().send()).getChainId().longValueExact();
        if (actual != expectedChainId) {
            LOG.error("KEEPER_URL points at chain {} but KEEPER_CHAIN_ID is {}", actual, expectedChainId);
            throw BrizoException.configuration("the chain node is on another chain than KEEPER_CHAIN_ID says; "
                    + "fix KEEPER_URL or KEEPER_CHAIN_ID");
        }
        chainChecked = true;
    }

    private static Function boolFunction(String name, Type<?> first, Type<?> second) {
        return new Function(name, List.of(first, second), List.of(new TypeReference<Bool>() {}));
    }

    @SuppressWarnings("rawtypes")
    private List<Type> call(String contract, Function function) {
        EthCall result = send(() -> web3.ethCall(
                        Transaction.createEthCallTransaction(null, contract, FunctionEncoder.encode(function)),
                        DefaultBlockParameterName.LATEST)
                .send());
        if (result.isReverted()) {
            throw unavailable("a keeper contract call was reverted; check the contract addresses", null);
        }
        List<Type> values = FunctionReturnDecoder.decode(result.getValue(), function.getOutputParameters());
        if (values.size() != function.getOutputParameters().size()) {
            // An address without this contract answers "0x": a configuration error, but the
            // consumer only needs to know that access cannot be checked now.
            LOG.error(
                    "keeper contract at {} does not answer {}(); check the KEEPER_* contract addresses",
                    contract,
                    function.getName());
            throw unavailable("the keeper contracts are not reachable as configured", null);
        }
        return values;
    }

    @SuppressWarnings("rawtypes")
    private static boolean isTrue(List<Type> values) {
        return ((Bool) values.get(0)).getValue();
    }

    private static boolean isZero(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private interface Rpc<T extends Response<?>> {
        T send() throws IOException;
    }

    private static <T extends Response<?>> T send(Rpc<T> rpc) {
        T response;
        try {
            response = rpc.send();
        } catch (IOException e) {
            throw unavailable("the chain node cannot be reached or is too slow; try again later", e);
        } catch (RuntimeException e) {
            throw unavailable("the chain node gave an unusable answer; try again later", e);
        }
        if (response == null) {
            throw unavailable("the chain node gave no answer; try again later", null);
        }
        if (response.hasError()) {
            LOG.warn(
                    "chain node error {}: {}",
                    response.getError().getCode(),
                    response.getError().getMessage());
            throw unavailable("the chain node answered with an error; try again later", null);
        }
        return response;
    }

    private static BrizoException unavailable(String message, Throwable cause) {
        // The node's URL may embed an API key, so neither it nor the cause's message is shown.
        if (cause != null) {
            LOG.warn("{} ({})", message, cause.getClass().getSimpleName());
        }
        return new BrizoException(ErrorKind.UNAVAILABLE, message, null, true);
    }

    /** Stops the RPC client's threads. */
    @Override
    public void close() {
        web3.shutdown();
        closeTransport.run();
    }
}
