package io.brizo.verifier.keeper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brizo.testkit.TestConsumer;
import java.io.IOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;
import org.web3j.protocol.core.methods.response.TransactionReceipt;
import org.web3j.utils.Numeric;

/**
 * The local chain fixture against itself: the deployed test contracts answer the keeper calls
 * Brizo makes, through plain eth_call and eth_getLogs as any client would, so the verifier tests
 * can trust what the fixture sets up. One node for the class (about a second to start).
 */
class LocalChainTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Event ACTOR_ADDED = new Event(
            "AgreementActorAdded",
            List.of(
                    new TypeReference<Bytes32>(true) {},
                    new TypeReference<Address>(true) {},
                    new TypeReference<Bytes32>(false) {}));

    private static LocalChain chain;

    @BeforeAll
    static void startChain() throws IOException {
        chain = LocalChain.start();
    }

    @AfterAll
    static void stopChain() {
        if (chain != null) {
            chain.close();
        }
    }

    @Test
    void theNodeAnswersEthChainIdWith1337() throws IOException {
        assertEquals(BigInteger.valueOf(1337), chain.web3j().ethChainId().send().getChainId());
        assertEquals(1337, chain.chainId());
        assertTrue(chain.rpcUrl().startsWith("http://127.0.0.1:"), chain.rpcUrl());
    }

    @Test
    void theFourContractsAreDeployedAtDistinctAddressesWithCode() throws IOException {
        List<String> contracts = List.of(
                chain.agreementStoreManager(),
                chain.accessSecretStoreCondition(),
                chain.computeExecutionCondition(),
                chain.didRegistry());
        assertEquals(4, contracts.stream().distinct().count(), contracts.toString());
        for (String contract : contracts) {
            String code = chain.web3j()
                    .ethGetCode(contract, DefaultBlockParameterName.LATEST)
                    .send()
                    .getCode();
            assertTrue(code.length() > 2, contract + " has no code");
        }
    }

    @Test
    void aCreatedAgreementIsReturnedByGetAgreementWithItsDidAndUpdateBlock() throws IOException {
        String agreementId = randomId();
        String did = randomId();
        TransactionReceipt receipt = chain.createAgreement(
                "0x" + agreementId, did, List.of(TestConsumer.random().address()));

        List<Type> agreement = getAgreement(agreementId);

        assertEquals(did, hex(agreement.get(0)));
        assertEquals(LocalChain.DEPLOYER_ADDRESS, agreement.get(1).getValue().toString());
        assertEquals(chain.agreementStoreManager(), agreement.get(2).getValue().toString());
        assertEquals(2, ((DynamicArray<?>) agreement.get(3)).getValue().size());
        assertEquals(LocalChain.DEPLOYER_ADDRESS, agreement.get(4).getValue().toString());
        assertEquals(receipt.getBlockNumber(), agreement.get(5).getValue());
    }

    @Test
    void anUnknownAgreementIdGivesAnAllZeroAgreement() throws IOException {
        List<Type> agreement = getAgreement(randomId());

        assertEquals("0".repeat(64), hex(agreement.get(0)));
        assertEquals(Address.DEFAULT.getValue(), agreement.get(1).getValue().toString());
        assertTrue(((DynamicArray<?>) agreement.get(3)).getValue().isEmpty());
        assertEquals(BigInteger.ZERO, agreement.get(5).getValue());
    }

    @Test
    void theActorAddedEventIsFoundByItsSignatureAgreementIdAndActorTopics() throws IOException {
        String agreementId = randomId();
        String consumer = TestConsumer.random().address();
        String other = TestConsumer.random().address();
        TransactionReceipt receipt = chain.createAgreement(agreementId, randomId(), List.of(consumer, other));

        List<EthLog.LogResult> logs = actorLogs(agreementId, consumer);

        assertEquals(1, logs.size(), logs.toString());
        Log log = (Log) logs.get(0).get();
        assertEquals(receipt.getTransactionHash(), log.getTransactionHash());
        assertEquals(chain.agreementStoreManager(), log.getAddress());
        assertEquals(LocalChain.CONSUMER_ACTOR_TYPE, log.getData());
        assertTrue(actorLogs(agreementId, TestConsumer.random().address()).isEmpty(), "a stranger is no actor");
        assertTrue(actorLogs(randomId(), consumer).isEmpty(), "the consumer is no actor of another agreement");
    }

    @Test
    void checkPermissionsTurnsTrueForTheGrantedConsumerAndDocumentOnly() throws IOException {
        String did = randomId();
        String consumer = TestConsumer.random().address();
        assertFalse(checkPermissions(consumer, did));

        chain.grantAccess(consumer, "0x" + did);

        assertTrue(checkPermissions(consumer, did));
        assertFalse(checkPermissions(TestConsumer.random().address(), did));
        assertFalse(checkPermissions(consumer, randomId()));
    }

    @Test
    void wasComputeTriggeredTurnsTrueForTheTriggeredDidAndConsumerOnly() throws IOException {
        String did = randomId();
        String consumer = TestConsumer.random().address();
        Function wasTriggered = boolFunction("wasComputeTriggered", new Bytes32(bytes(did)), new Address(consumer));
        assertFalse(callBool(chain.computeExecutionCondition(), wasTriggered));

        chain.triggerCompute(did, consumer);

        assertTrue(callBool(chain.computeExecutionCondition(), wasTriggered));
        Function forOther = boolFunction(
                "wasComputeTriggered",
                new Bytes32(bytes(did)),
                new Address(TestConsumer.random().address()));
        assertFalse(callBool(chain.computeExecutionCondition(), forOther));
    }

    @Test
    void getPermissionTurnsTrueForTheGrantedDidAndGranteeOnly() throws IOException {
        String did = randomId();
        String grantee = TestConsumer.random().address();
        Function getPermission = boolFunction("getPermission", new Bytes32(bytes(did)), new Address(grantee));
        assertFalse(callBool(chain.didRegistry(), getPermission));

        chain.grantDidPermission("did:op:" + did, grantee);

        assertTrue(callBool(chain.didRegistry(), getPermission));
        Function otherDid = boolFunction("getPermission", new Bytes32(bytes(randomId())), new Address(grantee));
        assertFalse(callBool(chain.didRegistry(), otherDid));
    }

    @Test
    void increaseTimeMovesTheNextBlockTimestampForwardBySoManySeconds() throws IOException {
        long before = chain.blockNumber();
        long beforeTime = chain.blockTimestamp(before);

        chain.increaseTime(86_400);

        long after = chain.blockNumber();
        assertTrue(after > before, "a block was mined");
        long advanced = chain.blockTimestamp(after) - beforeTime;
        // At least the jump; a few more seconds may pass on the wall clock meanwhile.
        assertTrue(advanced >= 86_400 && advanced < 86_400 + 60, "advanced " + advanced + " s");
    }

    @Test
    void malformedIdsAndAddressesAreRejectedBeforeAnyTransaction() {
        String consumer = TestConsumer.random().address();
        assertThrows(IllegalArgumentException.class, () -> chain.grantAccess(consumer, "0x1234"));
        assertThrows(IllegalArgumentException.class, () -> chain.grantAccess("0x1234", randomId()));
        assertThrows(IllegalArgumentException.class, () -> chain.blockTimestamp(Long.MAX_VALUE / 2));
    }

    private static List<Type> getAgreement(String agreementId) throws IOException {
        Function getAgreement = new Function(
                "getAgreement",
                List.of(new Bytes32(bytes(agreementId))),
                List.of(
                        new TypeReference<Bytes32>() {},
                        new TypeReference<Address>() {},
                        new TypeReference<Address>() {},
                        new TypeReference<DynamicArray<Bytes32>>() {},
                        new TypeReference<Address>() {},
                        new TypeReference<Uint256>() {}));
        List<Type> values = call(chain.agreementStoreManager(), getAgreement);
        assertEquals(6, values.size());
        return values;
    }

    private static List<EthLog.LogResult> actorLogs(String agreementId, String actor) throws IOException {
        EthFilter filter = new EthFilter(
                        DefaultBlockParameterName.EARLIEST,
                        DefaultBlockParameterName.LATEST,
                        chain.agreementStoreManager())
                .addSingleTopic(EventEncoder.encode(ACTOR_ADDED))
                .addSingleTopic("0x" + agreementId)
                .addSingleTopic(Numeric.toHexStringWithPrefixZeroPadded(Numeric.toBigInt(actor), 64));
        EthLog answer = chain.web3j().ethGetLogs(filter).send();
        assertFalse(answer.hasError(), () -> answer.getError().getMessage());
        return answer.getLogs();
    }

    private static boolean checkPermissions(String consumer, String did) throws IOException {
        return callBool(
                chain.accessSecretStoreCondition(),
                boolFunction("checkPermissions", new Address(consumer), new Bytes32(bytes(did))));
    }

    @SuppressWarnings("rawtypes")
    private static Function boolFunction(String name, Type... arguments) {
        return new Function(name, List.of(arguments), List.of(new TypeReference<Bool>() {}));
    }

    private static boolean callBool(String contract, Function function) throws IOException {
        return (Boolean) call(contract, function).get(0).getValue();
    }

    @SuppressWarnings("rawtypes")
    private static List<Type> call(String contract, Function function) throws IOException {
        EthCall answer = chain.web3j()
                .ethCall(
                        Transaction.createEthCallTransaction(null, contract, FunctionEncoder.encode(function)),
                        DefaultBlockParameterName.LATEST)
                .send();
        assertFalse(answer.hasError(), () -> answer.getError().getMessage());
        return FunctionReturnDecoder.decode(answer.getValue(), function.getOutputParameters());
    }

    private static String randomId() {
        byte[] id = new byte[32];
        RANDOM.nextBytes(id);
        return HexFormat.of().formatHex(id);
    }

    private static byte[] bytes(String hex) {
        return Numeric.hexStringToByteArray(hex);
    }

    @SuppressWarnings("rawtypes")
    private static String hex(Type bytes32) {
        return HexFormat.of().formatHex((byte[]) bytes32.getValue());
    }
}
