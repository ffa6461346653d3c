// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.0;

// Test stand-ins for Ocean Protocol's keeper contracts, compiled and deployed to a local anvil
// node by io.brizo.internal.keeper.LocalChain. Each exposes exactly the view function (and event)
// Brizo reads, with the original signatures, so the verifier sees the same ABI as on a real
// keeper network; the state behind them is set by test-only setters instead of the real
// agreement/condition workflow, which Brizo never drives.

contract AgreementStoreManager {
    struct Agreement {
        bytes32 did;
        address didOwner;
        address templateId;
        bytes32[] conditionIds;
        address lastUpdatedBy;
        uint256 blockNumberUpdated;
    }

    mapping(bytes32 => Agreement) private agreements;

    event AgreementActorAdded(bytes32 indexed agreementId, address indexed actor, bytes32 actorType);

    // Unknown ids return the zero struct (all zeros, no condition ids), as the real store does.
    function getAgreement(bytes32 id)
        external
        view
        returns (
            bytes32 did,
            address didOwner,
            address templateId,
            bytes32[] memory conditionIds,
            address lastUpdatedBy,
            uint256 blockNumberUpdated
        )
    {
        Agreement storage a = agreements[id];
        return (a.did, a.didOwner, a.templateId, a.conditionIds, a.lastUpdatedBy, a.blockNumberUpdated);
    }

    // Test-only: records the agreement as updated in this block (the verifier's expiry starts at
    // that block's timestamp) and announces each actor the way the real template does.
    function createAgreement(bytes32 id, bytes32 did, address[] calldata actors, bytes32[] calldata actorTypes)
        external
    {
        require(actors.length == actorTypes.length, "actors and actorTypes differ in length");
        Agreement storage a = agreements[id];
        a.did = did;
        a.didOwner = msg.sender;
        a.templateId = address(this);
        delete a.conditionIds;
        // Condition ids are derived like the real ones (hash of agreement and condition), only
        // so that the array is not empty; nothing checks them.
        a.conditionIds.push(keccak256(abi.encodePacked(id, "access")));
        a.conditionIds.push(keccak256(abi.encodePacked(id, "escrowReward")));
        a.lastUpdatedBy = msg.sender;
        a.blockNumberUpdated = block.number;
        for (uint256 i = 0; i < actors.length; i++) {
            emit AgreementActorAdded(id, actors[i], actorTypes[i]);
        }
    }
}

contract AccessSecretStoreCondition {
    mapping(bytes32 => mapping(address => bool)) private permissions;

    function checkPermissions(address grantee, bytes32 documentId) external view returns (bool) {
        return permissions[documentId][grantee];
    }

    // Test-only: stands for a fulfilled access condition.
    function grantPermission(address grantee, bytes32 documentId) external {
        permissions[documentId][grantee] = true;
    }
}

contract ComputeExecutionCondition {
    mapping(bytes32 => mapping(address => bool)) private triggered;

    function wasComputeTriggered(bytes32 did, address computeConsumer) external view returns (bool) {
        return triggered[did][computeConsumer];
    }

    // Test-only: stands for a fulfilled compute execution condition.
    function fulfill(bytes32 did, address computeConsumer) external {
        triggered[did][computeConsumer] = true;
    }
}

contract DIDRegistry {
    mapping(bytes32 => mapping(address => bool)) private permissions;

    function getPermission(bytes32 did, address grantee) external view returns (bool) {
        return permissions[did][grantee];
    }

    // Test-only: stands for the DID owner's direct grant (the real registry checks the owner).
    function grantPermission(bytes32 did, address grantee) external {
        permissions[did][grantee] = true;
    }
}
