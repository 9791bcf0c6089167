// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IProviderRegistry
/// @notice Provider staking with unbonding, offers, GPU capacity, job collateral and slashing.
interface IProviderRegistry {
    /// @notice What a provider advertises.
    struct Offer {
        bytes32 gpuModel; // e.g. "H100-SXM-80GB"
        uint16 gpuCount;
        uint32 vramGiB; // per GPU
        bytes2 region; // ISO 3166 alpha-2, e.g. "DE"
        uint32 bandwidthMbps;
        string endpoint; // the provider agent's URL
    }

    /// @notice A provider's stake and capacity. `stake` is bonded stake, locked collateral included;
    /// unbonding entries are counted in `unbonding` and stay slashable until withdrawn.
    struct Provider {
        uint256 stake;
        uint256 locked;
        uint256 unbonding;
        uint64 jailedUntil;
        uint32 activeJobs;
        uint16 gpusInUse;
        bool registered;
    }

    /// @notice What a job needs of a provider (zero model or region: any).
    /// @notice The first requirement a provider fails for a job (`unfitFor`), in checking order.
    enum Unfit {
        NONE,
        NOT_REGISTERED,
        STAKE_BELOW_MINIMUM,
        JAILED,
        NO_PRICE_IN_TOKEN,
        GPU_MODEL,
        REGION,
        VRAM,
        FREE_GPUS,
        FREE_STAKE
    }

    struct Requirement {
        address token;
        bytes32 gpuModel;
        bytes2 region;
        uint32 minVramGiB;
        uint16 gpus;
        uint256 collateral;
    }

    /// @notice One unbonding entry.
    struct Unbonding {
        uint256 amount;
        uint64 releaseAt;
    }

    /// @notice Collateral locked for one job (or challenge) of one market.
    struct Lock {
        address provider;
        uint16 gpus;
        uint256 amount;
    }

    event Staked(address indexed provider, uint256 amount);
    event UnstakeRequested(address indexed provider, uint256 amount, uint64 releaseAt);
    event Withdrawn(address indexed provider, uint256 amount);
    event ProviderRegistered(address indexed provider, bytes32 indexed gpuModel, uint16 gpuCount);
    event OfferUpdated(address indexed provider, bytes32 indexed gpuModel, uint16 gpuCount, string endpoint);
    event PriceSet(address indexed provider, address indexed token, uint256 pricePerGpuHour);
    event ProviderDeregistered(address indexed provider);
    event CollateralLocked(address indexed market, uint256 indexed lockId, address indexed provider, uint256 amount, uint16 gpus);
    event CapacityReleased(address indexed market, uint256 indexed lockId, address indexed provider, uint16 gpus);
    event CollateralReleased(address indexed market, uint256 indexed lockId, address indexed provider, uint256 amount, uint16 gpus);
    event StakeSlashed(
        address indexed provider,
        uint256 indexed lockId,
        address indexed beneficiary,
        uint256 amount,
        uint256 fromLocked,
        uint256 fromFree,
        uint256 fromUnbonding
    );
    event ProviderJailed(address indexed provider, uint64 until);
    event ParameterUpdated(bytes32 indexed name, uint256 value);
    event MarketWindowsSourceSet(address indexed source);

    error ProviderRegistryZeroAmount();
    error ProviderRegistryZeroAddress();
    error ProviderRegistryInsufficientFreeStake(address provider, uint256 requested, uint256 available);
    error ProviderRegistryInsufficientStake(address provider, uint256 stake, uint256 minStake);
    error ProviderRegistryAlreadyRegistered(address provider);
    error ProviderRegistryNotRegistered(address provider);
    error ProviderRegistryInvalidOffer();
    error ProviderRegistryLengthMismatch(uint256 tokens, uint256 prices);
    error ProviderRegistryHasActiveJobs(address provider, uint32 activeJobs);
    error ProviderRegistryNothingToWithdraw(address provider);
    error ProviderRegistryTooManyUnbondingEntries(address provider, uint256 max);
    error ProviderRegistryInsufficientCapacity(address provider, uint16 requested, uint16 free);
    error ProviderRegistryJailed(address provider, uint64 until);
    error ProviderRegistryLockExists(address market, uint256 lockId);
    error ProviderRegistryUnknownLock(address market, uint256 lockId);
    error ProviderRegistryUnknownParameter(bytes32 name);
    error ProviderRegistryParameterOutOfBounds(bytes32 name, uint256 value, uint256 min, uint256 max);

    function stake(uint256 amount) external;
    function requestUnstake(uint256 amount) external;
    function withdraw() external returns (uint256 amount);
    function register(Offer calldata offer, address[] calldata tokens, uint256[] calldata prices) external;
    function updateOffer(Offer calldata offer, address[] calldata tokens, uint256[] calldata prices) external;
    function deregister() external;
    function lockCollateral(address provider, uint256 lockId, uint256 amount, uint16 gpus) external;
    function releaseCapacity(uint256 lockId) external;
    function releaseCollateral(uint256 lockId) external returns (uint256 released);
    function slash(address provider, uint256 amount, address beneficiary, uint256 lockId)
        external
        returns (uint256 slashed);

    function providerInfo(address provider) external view returns (Provider memory);
    function offerOf(address provider) external view returns (Offer memory);
    function priceOf(address provider, address token) external view returns (uint256);
    function freeStake(address provider) external view returns (uint256);
    function slashable(address provider) external view returns (uint256);
    function isListed(address provider) external view returns (bool);
    function canServe(address provider, Requirement calldata req) external view returns (bool);
    /// @notice The first requirement `provider` fails for a job with these needs (NONE: it can
    /// serve it now); `canServe` is `unfitFor == NONE`.
    function unfitFor(address provider, Requirement calldata req) external view returns (Unfit);
    function unbondingEntries(address provider) external view returns (Unbonding[] memory);
    function lockOf(address market, uint256 lockId) external view returns (Lock memory);
    function unbondingPeriod() external view returns (uint64);
}

/// @title IMarketWindows
/// @notice The market's time windows that bound the registry's unbonding period from below.
interface IMarketWindows {
    function disputeWindow() external view returns (uint64);
    function attestTimeout() external view returns (uint64);
}
