// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title HurenAnchor
/// @notice Outside anchors of one Huren network: each anchor is the RFC 9162 Merkle root (SHA-256) over the members'
/// latest final checkpoints (one leaf per log: origin, size, root hash, SHA-256 of the signed note; the leaf format is
/// in docs/anchoring.md). Only the network's anchoring accounts (one per member) may anchor; anyone may read.
/// @dev The anchoring accounts are set at deployment and replaced only when a strict majority of the current ones vote
/// for the same new list in the same epoch, the rule the network configuration itself follows (TUF root rotation):
/// no single member or operator can add an account that anchors in the network's name.
contract HurenAnchor {
    /// @notice One anchor as stored.
    struct Anchor {
        bytes32 root;
        uint64 leafCount;
        uint64 anchoredAt;
        uint64 blockNumber;
        address submitter;
    }

    /// @notice At most this many anchoring accounts (a network has one per member).
    uint256 public constant MAX_ANCHORERS = 64;

    /// @notice The Huren network id (e.g. "cz-t") this contract anchors.
    string public networkId;

    /// @notice The version of the anchoring-account list; a vote names the epoch it replaces.
    uint64 public epoch;

    /// @notice True for a current anchoring account.
    mapping(address => bool) public isAnchorer;

    address[] private _anchorers;
    Anchor[] private _anchors;
    mapping(bytes32 => mapping(address => bool)) private _voted;
    mapping(bytes32 => uint256) private _votes;

    /// @notice A new anchor; `sequence` numbers anchors from 0.
    event Anchored(uint256 indexed sequence, bytes32 indexed root, address indexed submitter, uint64 leafCount, uint64 anchoredAt);

    /// @notice The anchoring accounts of `epoch` (emitted at deployment and on every change).
    event AnchorersChanged(uint64 indexed epoch, address[] anchorers);

    /// @notice A vote for a new list of anchoring accounts; `votes` counts the proposal's votes so far.
    event AnchorersVote(bytes32 indexed proposal, address indexed voter, uint64 epoch, uint256 votes);

    error NotAnchorer(address account);
    error NoLeaves();
    error StaleEpoch(uint64 given, uint64 current);
    error InvalidAnchorers(string reason);
    error AlreadyVoted(address voter);
    error NoSuchAnchor(uint256 sequence, uint256 count);

    constructor(string memory networkId_, address[] memory anchorers_) {
        networkId = networkId_;
        _replaceAnchorers(anchorers_);
    }

    /// @notice Records an anchor: `root` over `leafCount` leaves. Only an anchoring account may call it.
    function anchor(bytes32 root, uint64 leafCount) external returns (uint256 sequence) {
        if (!isAnchorer[msg.sender]) revert NotAnchorer(msg.sender);
        if (leafCount == 0) revert NoLeaves();
        sequence = _anchors.length;
        uint64 time = uint64(block.timestamp);
        _anchors.push(Anchor(root, leafCount, time, uint64(block.number), msg.sender));
        emit Anchored(sequence, root, msg.sender, leafCount, time);
    }

    /// @notice How many anchors were recorded.
    function anchorCount() external view returns (uint256) {
        return _anchors.length;
    }

    /// @notice The anchor with this sequence number.
    function getAnchor(uint256 sequence) external view returns (Anchor memory) {
        if (sequence >= _anchors.length) revert NoSuchAnchor(sequence, _anchors.length);
        return _anchors[sequence];
    }

    /// @notice The current anchoring accounts.
    function anchorers() external view returns (address[] memory) {
        return _anchorers;
    }

    /// @notice A vote by a current anchoring account to replace the list of epoch `forEpoch` with `newAnchorers`.
    /// The list changes when a strict majority of the current accounts voted for the same list in the same epoch.
    function voteAnchorers(uint64 forEpoch, address[] calldata newAnchorers) external {
        if (!isAnchorer[msg.sender]) revert NotAnchorer(msg.sender);
        if (forEpoch != epoch) revert StaleEpoch(forEpoch, epoch);
        _check(newAnchorers);
        bytes32 proposal = keccak256(abi.encode(forEpoch, newAnchorers));
        if (_voted[proposal][msg.sender]) revert AlreadyVoted(msg.sender);
        _voted[proposal][msg.sender] = true;
        uint256 votes = ++_votes[proposal];
        emit AnchorersVote(proposal, msg.sender, forEpoch, votes);
        if (votes * 2 > _anchorers.length) {
            // The deployment's list is epoch 0; each change moves to the next, which voids the old epoch's votes.
            epoch = forEpoch + 1;
            _replaceAnchorers(newAnchorers);
        }
    }

    function _replaceAnchorers(address[] memory newAnchorers) private {
        _check(newAnchorers);
        for (uint256 i = 0; i < _anchorers.length; i++) {
            isAnchorer[_anchorers[i]] = false;
        }
        delete _anchorers;
        for (uint256 i = 0; i < newAnchorers.length; i++) {
            isAnchorer[newAnchorers[i]] = true;
            _anchorers.push(newAnchorers[i]);
        }
        emit AnchorersChanged(epoch, newAnchorers);
    }

    function _check(address[] memory list) private pure {
        if (list.length == 0) revert InvalidAnchorers("empty");
        if (list.length > MAX_ANCHORERS) revert InvalidAnchorers("too many");
        for (uint256 i = 0; i < list.length; i++) {
            if (list[i] == address(0)) revert InvalidAnchorers("zero address");
            for (uint256 j = 0; j < i; j++) {
                if (list[i] == list[j]) revert InvalidAnchorers("duplicate");
            }
        }
    }
}
