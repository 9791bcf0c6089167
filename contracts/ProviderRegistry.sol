// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from
    "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {IProviderRegistry, IMarketWindows} from "../interfaces/IProviderRegistry.sol";

/// @title ProviderRegistry
/// @notice Providers stake the protocol token, advertise GPUs and prices, and back each job with
/// collateral. Unstaking goes through an unbonding period during which the stake stays slashable.
/// @dev Money moves only in `stake`, `withdraw` and `slash`. Pausing stops new stakes and offers,
/// never withdrawals, collateral release or slashing.
contract ProviderRegistry is IProviderRegistry, AccessControlDefaultAdminRules, Pausable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    /// @notice Role of the markets that lock and release collateral (JobMarket, BenchmarkRegistry).
    bytes32 public constant MARKET_ROLE = keccak256("MARKET_ROLE");
    /// @notice Role of the contracts that may slash (JobMarket, BenchmarkRegistry).
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice Role that sets parameters.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice Role that pauses and unpauses.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");
    /// @notice Pending unbonding entries a provider may have at once; bounds withdraw and slash loops.
    uint256 public constant MAX_UNBONDING_ENTRIES = 16;

    /// @notice The staking token (GMKT).
    IERC20 public immutable stakingToken;

    /// @notice Bonded stake needed to be listed (default 1,000 GMKT).
    uint256 public minStake = 1_000 ether;
    /// @notice Seconds between `requestUnstake` and the earliest `withdraw` (default 7 days).
    uint64 public unbondingPeriod = 7 days;
    /// @notice Seconds a provider is jailed after a slash (default 3 days).
    uint64 public jailPeriod = 3 days;
    /// @notice The market whose dispute and attestation windows bound `unbondingPeriod`.
    IMarketWindows public marketWindows;

    /// @notice Sum of bonded stake of all providers.
    uint256 public totalStaked;
    /// @notice Sum of unbonding entries of all providers.
    uint256 public totalUnbonding;

    mapping(address => Provider) private _providers;
    mapping(address => Offer) private _offers;
    mapping(address => mapping(address => uint256)) private _prices;
    mapping(address => address[]) private _pricedTokens;
    mapping(address => Unbonding[]) private _unbonding;
    mapping(address => uint256) private _unbondingHead;
    mapping(address => mapping(uint256 => Lock)) private _locks;

    /// @param token The staking token.
    /// @param adminDelay Delay of a DEFAULT_ADMIN transfer, in seconds.
    /// @param admin The initial default admin; also gets GOVERNOR_ROLE and PAUSER_ROLE.
    constructor(IERC20 token, uint48 adminDelay, address admin) AccessControlDefaultAdminRules(adminDelay, admin) {
        if (address(token) == address(0)) revert ProviderRegistryZeroAddress();
        stakingToken = token;
        _grantRole(GOVERNOR_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
    }

    // ---------------------------------------------------------------- staking

    /// @notice Bonds `amount` of the staking token; the caller must have approved it.
    /// @param amount Token units to stake.
    function stake(uint256 amount) external whenNotPaused nonReentrant {
        if (amount == 0) revert ProviderRegistryZeroAmount();
        _providers[msg.sender].stake += amount;
        totalStaked += amount;
        emit Staked(msg.sender, amount);
        stakingToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Moves `amount` of free stake into an unbonding entry, withdrawable after
    /// `unbondingPeriod`. It stays slashable until withdrawn.
    /// @param amount Token units to unbond; at most the free (unlocked) stake.
    function requestUnstake(uint256 amount) external {
        if (amount == 0) revert ProviderRegistryZeroAmount();
        Provider storage p = _providers[msg.sender];
        uint256 free = p.stake - p.locked;
        if (amount > free) revert ProviderRegistryInsufficientFreeStake(msg.sender, amount, free);
        Unbonding[] storage entries = _unbonding[msg.sender];
        if (entries.length - _unbondingHead[msg.sender] >= MAX_UNBONDING_ENTRIES) {
            revert ProviderRegistryTooManyUnbondingEntries(msg.sender, MAX_UNBONDING_ENTRIES);
        }
        uint64 releaseAt = uint64(block.timestamp) + unbondingPeriod;
        p.stake -= amount;
        p.unbonding += amount;
        totalStaked -= amount;
        totalUnbonding += amount;
        entries.push(Unbonding({amount: amount, releaseAt: releaseAt}));
        emit UnstakeRequested(msg.sender, amount, releaseAt);
    }

    /// @notice Pays out every unbonding entry whose period has ended. Works while paused.
    /// @return amount Token units paid to the caller.
    function withdraw() external nonReentrant returns (uint256 amount) {
        Unbonding[] storage entries = _unbonding[msg.sender];
        uint256 head = _unbondingHead[msg.sender];
        while (head < entries.length && entries[head].releaseAt <= block.timestamp) {
            amount += entries[head].amount;
            delete entries[head];
            ++head;
        }
        if (amount == 0) revert ProviderRegistryNothingToWithdraw(msg.sender);
        _unbondingHead[msg.sender] = head;
        _providers[msg.sender].unbonding -= amount;
        totalUnbonding -= amount;
        emit Withdrawn(msg.sender, amount);
        stakingToken.safeTransfer(msg.sender, amount);
    }

    // ---------------------------------------------------------------- offers

    /// @notice Registers the caller as a provider with `offer` and per-token prices per GPU-hour.
    /// Needs bonded stake of at least `minStake`.
    /// @param offer The advertised hardware and agent endpoint.
    /// @param tokens Payment tokens the provider accepts.
    /// @param prices Price per GPU-hour for each token, in that token's units.
    function register(Offer calldata offer, address[] calldata tokens, uint256[] calldata prices)
        external
        whenNotPaused
    {
        Provider storage p = _providers[msg.sender];
        if (p.registered) revert ProviderRegistryAlreadyRegistered(msg.sender);
        if (p.stake < minStake) revert ProviderRegistryInsufficientStake(msg.sender, p.stake, minStake);
        p.registered = true;
        _setOffer(offer, tokens, prices);
        emit ProviderRegistered(msg.sender, offer.gpuModel, offer.gpuCount);
    }

    /// @notice Replaces the caller's offer and sets the given prices (other tokens keep theirs).
    /// @param offer The new offer; its GPU count may not drop below the GPUs in use.
    /// @param tokens Payment tokens to price.
    /// @param prices Price per GPU-hour for each token; 0 withdraws the token.
    function updateOffer(Offer calldata offer, address[] calldata tokens, uint256[] calldata prices)
        external
        whenNotPaused
    {
        Provider storage p = _providers[msg.sender];
        if (!p.registered) revert ProviderRegistryNotRegistered(msg.sender);
        if (offer.gpuCount < p.gpusInUse) revert ProviderRegistryInvalidOffer();
        _setOffer(offer, tokens, prices);
    }

    /// @notice Removes the caller's listing; only with no active job. Stake stays bonded.
    function deregister() external {
        Provider storage p = _providers[msg.sender];
        if (!p.registered) revert ProviderRegistryNotRegistered(msg.sender);
        if (p.activeJobs != 0) revert ProviderRegistryHasActiveJobs(msg.sender, p.activeJobs);
        p.registered = false;
        delete _offers[msg.sender];
        // Prices go too: a later registration starts from the tokens it names, not stale ones.
        address[] storage priced = _pricedTokens[msg.sender];
        for (uint256 k = 0; k < priced.length; ++k) {
            delete _prices[msg.sender][priced[k]];
        }
        delete _pricedTokens[msg.sender];
        emit ProviderDeregistered(msg.sender);
    }

    // ---------------------------------------------------------------- collateral and slashing

    /// @notice Locks `amount` of the provider's free stake and reserves `gpus` for job `lockId`.
    /// @dev Only MARKET_ROLE. Locks are namespaced by the calling market.
    /// @param provider The provider that won the job.
    /// @param lockId The market's job (or challenge) id.
    /// @param amount Collateral in staking-token units.
    /// @param gpus GPUs to reserve.
    function lockCollateral(address provider, uint256 lockId, uint256 amount, uint16 gpus)
        external
        onlyRole(MARKET_ROLE)
    {
        Lock storage lock = _locks[msg.sender][lockId];
        if (lock.provider != address(0)) revert ProviderRegistryLockExists(msg.sender, lockId);
        Provider storage p = _providers[provider];
        _requireCanServe(provider, p, gpus, amount);
        p.locked += amount;
        p.gpusInUse += gpus;
        p.activeJobs += 1;
        lock.provider = provider;
        lock.gpus = gpus;
        lock.amount = amount;
        emit CollateralLocked(msg.sender, lockId, provider, amount, gpus);
    }

    /// @notice Frees the GPUs of job `lockId` once its work is done; its collateral stays locked
    /// until `releaseCollateral`. Freeing them again frees nothing.
    /// @dev Only MARKET_ROLE, for its own locks. The lock forgets its GPUs, so that
    /// `releaseCollateral` never frees them twice.
    /// @param lockId The market's job (or challenge) id.
    function releaseCapacity(uint256 lockId) external onlyRole(MARKET_ROLE) {
        Lock storage lock = _locks[msg.sender][lockId];
        address provider = lock.provider;
        if (provider == address(0)) revert ProviderRegistryUnknownLock(msg.sender, lockId);
        uint16 gpus = lock.gpus;
        lock.gpus = 0;
        _providers[provider].gpusInUse -= gpus;
        emit CapacityReleased(msg.sender, lockId, provider, gpus);
    }

    /// @notice Unlocks what is left of job `lockId`'s collateral and frees its GPUs (those
    /// `releaseCapacity` has not freed already).
    /// @dev Only MARKET_ROLE, for its own locks. Works while paused.
    /// @param lockId The market's job (or challenge) id.
    /// @return released Collateral returned to the provider's free stake.
    function releaseCollateral(uint256 lockId) external onlyRole(MARKET_ROLE) returns (uint256 released) {
        Lock memory lock = _locks[msg.sender][lockId];
        if (lock.provider == address(0)) revert ProviderRegistryUnknownLock(msg.sender, lockId);
        delete _locks[msg.sender][lockId];
        Provider storage p = _providers[lock.provider];
        p.locked -= lock.amount;
        p.gpusInUse -= lock.gpus;
        p.activeJobs -= 1;
        emit CollateralReleased(msg.sender, lockId, lock.provider, lock.amount, lock.gpus);
        return lock.amount;
    }

    /// @notice Slashes up to `amount` from `provider` and pays it to `beneficiary`: first the
    /// collateral of the caller's lock `lockId`, then free stake, then unbonding entries (newest
    /// first). Other jobs' collateral is never touched. Jails the provider for `jailPeriod`.
    /// @dev Only SLASHER_ROLE. Works while paused.
    /// @param provider The provider at fault.
    /// @param amount The most to take.
    /// @param beneficiary Who receives the slashed tokens.
    /// @param lockId The caller's lock for the job at fault (an unknown id skips this source).
    /// @return slashed Token units actually taken, at most `amount` and at most `slashable(provider)`.
    function slash(address provider, uint256 amount, address beneficiary, uint256 lockId)
        external
        onlyRole(SLASHER_ROLE)
        nonReentrant
        returns (uint256 slashed)
    {
        if (amount == 0) revert ProviderRegistryZeroAmount();
        if (beneficiary == address(0)) revert ProviderRegistryZeroAddress();
        Provider storage p = _providers[provider];
        Lock storage lock = _locks[msg.sender][lockId];
        uint256 fromLocked = 0;
        if (lock.provider == provider) {
            fromLocked = Math.min(amount, lock.amount);
            lock.amount -= fromLocked;
            // Locked collateral is part of the bonded stake: it leaves both.
            p.locked -= fromLocked;
            p.stake -= fromLocked;
        }
        uint256 fromFree = Math.min(amount - fromLocked, p.stake - p.locked);
        p.stake -= fromFree;
        totalStaked -= fromLocked + fromFree;
        uint256 fromUnbonding = _slashUnbonding(provider, amount - fromLocked - fromFree);
        slashed = fromLocked + fromFree + fromUnbonding;

        uint64 until = uint64(block.timestamp) + jailPeriod;
        if (until > p.jailedUntil) p.jailedUntil = until;
        emit StakeSlashed(provider, lockId, beneficiary, slashed, fromLocked, fromFree, fromUnbonding);
        emit ProviderJailed(provider, p.jailedUntil);
        if (slashed != 0) stakingToken.safeTransfer(beneficiary, slashed);
    }

    // ---------------------------------------------------------------- governance

    /// @notice Sets a parameter: "minStake", "unbondingPeriod" or "jailPeriod".
    /// @dev Only GOVERNOR_ROLE. `unbondingPeriod` must exceed the market's dispute window plus
    /// attestation timeout, so that a job's stake cannot leave before its fault can be proven.
    /// @param name The parameter's name.
    /// @param value The new value.
    function setParameter(bytes32 name, uint256 value) external onlyRole(GOVERNOR_ROLE) {
        if (name == "minStake") {
            _checkBounds(name, value, 1, 1e27);
            minStake = value;
        } else if (name == "unbondingPeriod") {
            uint256 floor = 1 days;
            if (address(marketWindows) != address(0)) {
                floor = Math.max(floor, uint256(marketWindows.disputeWindow()) + marketWindows.attestTimeout() + 1);
            }
            _checkBounds(name, value, floor, 365 days);
            unbondingPeriod = uint64(value);
        } else if (name == "jailPeriod") {
            _checkBounds(name, value, 0, 365 days);
            jailPeriod = uint64(value);
        } else {
            revert ProviderRegistryUnknownParameter(name);
        }
        emit ParameterUpdated(name, value);
    }

    /// @notice Sets the market whose windows bound `unbondingPeriod`.
    /// @param source The JobMarket.
    function setMarketWindows(IMarketWindows source) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(source) == address(0)) revert ProviderRegistryZeroAddress();
        marketWindows = source;
        emit MarketWindowsSourceSet(address(source));
    }

    /// @notice Stops new stakes and offers. Withdrawals, releases and slashing go on.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Lifts a pause.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    /// @notice A provider's stake, collateral, capacity and status.
    function providerInfo(address provider) external view returns (Provider memory) {
        return _providers[provider];
    }

    /// @notice A provider's current offer.
    function offerOf(address provider) external view returns (Offer memory) {
        return _offers[provider];
    }

    /// @notice A provider's price per GPU-hour in `token` (0: not accepted).
    function priceOf(address provider, address token) external view returns (uint256) {
        return _prices[provider][token];
    }

    /// @notice Bonded stake not locked as collateral: what may be unstaked or locked.
    function freeStake(address provider) external view returns (uint256) {
        Provider storage p = _providers[provider];
        return p.stake - p.locked;
    }

    /// @notice Everything a slash can reach: bonded stake plus unbonding entries.
    function slashable(address provider) external view returns (uint256) {
        Provider storage p = _providers[provider];
        return p.stake + p.unbonding;
    }

    /// @notice Registered with at least `minStake` bonded.
    function isListed(address provider) public view returns (bool) {
        Provider storage p = _providers[provider];
        return p.registered && p.stake >= minStake;
    }

    /// @notice Whether `provider` could take a job with these needs now: listed, not jailed, an
    /// offer that matches, a price in the token, free GPUs and free stake for the collateral.
    /// @param provider The provider.
    /// @param req The job's needs.
    function canServe(address provider, Requirement calldata req) external view returns (bool) {
        return _unfitFor(provider, req) == Unfit.NONE;
    }

    /// @inheritdoc IProviderRegistry
    function unfitFor(address provider, Requirement calldata req) external view returns (Unfit) {
        return _unfitFor(provider, req);
    }

    /// @notice A provider's pending unbonding entries, oldest first.
    function unbondingEntries(address provider) external view returns (Unbonding[] memory entries) {
        Unbonding[] storage all = _unbonding[provider];
        uint256 head = _unbondingHead[provider];
        entries = new Unbonding[](all.length - head);
        for (uint256 k = 0; k < entries.length; ++k) {
            entries[k] = all[head + k];
        }
    }

    /// @notice The collateral lock `lockId` of `market`.
    function lockOf(address market, uint256 lockId) external view returns (Lock memory) {
        return _locks[market][lockId];
    }

    // ---------------------------------------------------------------- internals

    /// @dev The first requirement `provider` fails, in the order of `Unfit`; NONE when it serves.
    function _unfitFor(address provider, Requirement calldata req) private view returns (Unfit) {
        Provider storage p = _providers[provider];
        if (!p.registered) return Unfit.NOT_REGISTERED;
        if (p.stake < minStake) return Unfit.STAKE_BELOW_MINIMUM;
        if (p.jailedUntil > block.timestamp) return Unfit.JAILED;
        if (_prices[provider][req.token] == 0) return Unfit.NO_PRICE_IN_TOKEN;
        Offer storage offer = _offers[provider];
        if (req.gpuModel != bytes32(0) && req.gpuModel != offer.gpuModel) return Unfit.GPU_MODEL;
        if (req.region != bytes2(0) && req.region != offer.region) return Unfit.REGION;
        if (offer.vramGiB < req.minVramGiB) return Unfit.VRAM;
        if (uint256(offer.gpuCount) < uint256(p.gpusInUse) + req.gpus) return Unfit.FREE_GPUS;
        if (p.stake - p.locked < req.collateral) return Unfit.FREE_STAKE;
        return Unfit.NONE;
    }

    function _setOffer(Offer calldata offer, address[] calldata tokens, uint256[] calldata prices) private {
        if (offer.gpuModel == bytes32(0) || offer.gpuCount == 0 || offer.vramGiB == 0 || offer.region == bytes2(0)) {
            revert ProviderRegistryInvalidOffer();
        }
        if (tokens.length != prices.length) revert ProviderRegistryLengthMismatch(tokens.length, prices.length);
        _offers[msg.sender] = offer;
        for (uint256 k = 0; k < tokens.length; ++k) {
            if (_prices[msg.sender][tokens[k]] == 0 && prices[k] != 0) _pricedTokens[msg.sender].push(tokens[k]);
            _prices[msg.sender][tokens[k]] = prices[k];
            emit PriceSet(msg.sender, tokens[k], prices[k]);
        }
        emit OfferUpdated(msg.sender, offer.gpuModel, offer.gpuCount, offer.endpoint);
    }

    function _requireCanServe(address provider, Provider storage p, uint16 gpus, uint256 collateral) private view {
        if (!p.registered) revert ProviderRegistryNotRegistered(provider);
        if (p.stake < minStake) revert ProviderRegistryInsufficientStake(provider, p.stake, minStake);
        if (p.jailedUntil > block.timestamp) revert ProviderRegistryJailed(provider, p.jailedUntil);
        uint16 capacity = _offers[provider].gpuCount;
        uint16 free = capacity > p.gpusInUse ? capacity - p.gpusInUse : 0;
        if (gpus > free) revert ProviderRegistryInsufficientCapacity(provider, gpus, free);
        uint256 freeStakeAmount = p.stake - p.locked;
        if (collateral > freeStakeAmount) {
            revert ProviderRegistryInsufficientFreeStake(provider, collateral, freeStakeAmount);
        }
    }

    /// @dev Takes up to `amount` from the provider's unbonding entries, newest first.
    function _slashUnbonding(address provider, uint256 amount) private returns (uint256 taken) {
        if (amount == 0) return 0;
        Unbonding[] storage entries = _unbonding[provider];
        uint256 head = _unbondingHead[provider];
        for (uint256 k = entries.length; k > head && taken < amount; --k) {
            Unbonding storage entry = entries[k - 1];
            uint256 cut = Math.min(amount - taken, entry.amount);
            taken += cut;
            if (cut == entry.amount) {
                // Newest first, so an emptied entry is always the last: drop it, or it would
                // count towards MAX_UNBONDING_ENTRIES and block the queue head forever.
                entries.pop();
            } else {
                entry.amount -= cut;
            }
        }
        _providers[provider].unbonding -= taken;
        totalUnbonding -= taken;
    }

    function _checkBounds(bytes32 name, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ProviderRegistryParameterOutOfBounds(name, value, min, max);
    }
}
