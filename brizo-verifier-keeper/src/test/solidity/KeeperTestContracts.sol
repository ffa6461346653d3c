// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.0;

// Test stand-ins for Ocean Protocol's keeper contracts, compiled and deployed to a local anvil
// node by io.brizo.internal.keeper.LocalChain. Each exposes exactly the view function (and event)
// Brizo reads, with the original signatures, so the verifier sees the same ABI as on a real
// keeper network; the state behind them is set by test-only setters instead of the real
// agreement/condition workflow, which Brizo never drives. The DIDRegistry is the exception: the
// provider writes to it (registers derived assets and grants their owners permission), so it
// keeps the original's functions, events and owner checks.

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

// The DID registry of keeper-contracts v0.13 (the Brizo 0.9.x era) as far as Brizo uses it: the same
// function signatures, events and owner checks. The first registerAttribute of a DID makes its
// sender the owner; only the owner grants and revokes permissions. Left out: the upgradeable
// Ownable initialiser, providers' removal and ownership transfer, which Brizo never calls.
contract DIDRegistry {
    struct DIDRegister {
        address owner;
        bytes32 lastChecksum;
        address lastUpdatedBy;
        uint256 blockNumberUpdated;
        address[] providers;
    }

    mapping(bytes32 => DIDRegister) private didRegisters;
    bytes32[] private didRegisterIds;
    mapping(bytes32 => mapping(address => bool)) private permissions;

    // The value is not stored, only announced in this event (as in the original).
    event DIDAttributeRegistered(
        bytes32 indexed _did,
        address indexed _owner,
        bytes32 indexed _checksum,
        string _value,
        address _lastUpdatedBy,
        uint256 _blockNumberUpdated
    );

    event DIDPermissionGranted(bytes32 indexed _did, address indexed _owner, address indexed _grantee);

    event DIDPermissionRevoked(bytes32 indexed _did, address indexed _owner, address indexed _grantee);

    modifier onlyDIDOwner(bytes32 _did) {
        require(msg.sender == didRegisters[_did].owner, "Invalid DID owner can perform this operation.");
        _;
    }

    function registerAttribute(bytes32 _did, bytes32 _checksum, address[] memory _providers, string memory _value)
        public
        returns (uint256 size)
    {
        DIDRegister storage r = didRegisters[_did];
        require(
            r.owner == address(0) || r.owner == msg.sender, "Attributes must be registered by the DID owners."
        );
        require(bytes(_value).length <= 2048, "Invalid value size");
        if (r.owner == address(0)) {
            r.owner = msg.sender;
            didRegisterIds.push(_did);
        }
        r.lastChecksum = _checksum;
        r.lastUpdatedBy = msg.sender;
        r.blockNumberUpdated = block.number;
        // Each registration replaces the providers, as the original's library does.
        delete r.providers;
        for (uint256 i = 0; i < _providers.length; i++) {
            require(_providers[i] != address(0), "Invalid asset provider address");
            require(_providers[i] != address(this), "DID provider should not be this contract address");
            if (!isDIDProvider(_did, _providers[i])) {
                r.providers.push(_providers[i]);
            }
        }
        emit DIDAttributeRegistered(_did, r.owner, _checksum, _value, msg.sender, block.number);
        return didRegisterIds.length;
    }

    function grantPermission(bytes32 _did, address _grantee) external onlyDIDOwner(_did) {
        require(_grantee != address(0), "Invalid grantee address");
        permissions[_did][_grantee] = true;
        emit DIDPermissionGranted(_did, msg.sender, _grantee);
    }

    function revokePermission(bytes32 _did, address _grantee) external onlyDIDOwner(_did) {
        require(permissions[_did][_grantee], "Grantee already was revoked");
        permissions[_did][_grantee] = false;
        emit DIDPermissionRevoked(_did, msg.sender, _grantee);
    }

    function getPermission(bytes32 _did, address _grantee) external view returns (bool) {
        return permissions[_did][_grantee];
    }

    function isDIDProvider(bytes32 _did, address _provider) public view returns (bool) {
        address[] storage providers = didRegisters[_did].providers;
        for (uint256 i = 0; i < providers.length; i++) {
            if (providers[i] == _provider) {
                return true;
            }
        }
        return false;
    }

    function getDIDRegister(bytes32 _did)
        public
        view
        returns (
            address owner,
            bytes32 lastChecksum,
            address lastUpdatedBy,
            uint256 blockNumberUpdated,
            address[] memory providers
        )
    {
        DIDRegister storage r = didRegisters[_did];
        return (r.owner, r.lastChecksum, r.lastUpdatedBy, r.blockNumberUpdated, r.providers);
    }

    function getBlockNumberUpdated(bytes32 _did) public view returns (uint256 blockNumberUpdated) {
        return didRegisters[_did].blockNumberUpdated;
    }

    function getDIDOwner(bytes32 _did) public view returns (address didOwner) {
        return didRegisters[_did].owner;
    }

    function getDIDRegistrySize() public view returns (uint256 size) {
        return didRegisterIds.length;
    }
}
