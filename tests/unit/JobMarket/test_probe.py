import brownie
from gpumarket.chain.deploy import name32

def test_probe(market, gmkt, buyer, stranger, post_job, make_provider, provider, usdc, registry):
    for fn in [
        lambda: market.bid(5, 1, {"from": stranger}),
        lambda: market.setParameter(name32("protocolFeeBps"), 99999, {"from": stranger}),
        lambda: market.setParameter(name32("protocolFeeBps"), 99999, {"from": market.owner() if hasattr(market,'owner') else stranger}),
        lambda: market.setParameter(name32("nope"), 1, {"from": brownie.accounts[0]}),
        lambda: market.setParameter(name32("protocolFeeBps"), 99999, {"from": brownie.accounts[0]}),
        lambda: market.postJob((b"\0"*32,1,0,b"\0\0",3600,b"\0"*32,"x",0,0,False,0,0,0), stranger, 1, 3600, stranger, {"from": buyer}),
        lambda: market.pause({"from": stranger}),
    ]:
        try:
            fn()
        except Exception as e:
            print(repr(getattr(e, "revert_msg", e)))
    make_provider(provider)
    jid = post_job(buyer, gmkt, 10**18)
    market.bid(jid, 10**18, {"from": provider})
    market.acceptBid(jid, provider, {"from": buyer})
    try:
        market.bid(jid, 1, {"from": provider})
    except Exception as e:
        print(repr(e.revert_msg))
    market.pause({"from": brownie.accounts[0]})
    try:
        market.postJob((b"\0"*32,1,0,b"\0\0",3600,b"\0"*32,"x",0,0,False,0,0,0), gmkt, 1, 3600, stranger, {"from": buyer})
    except Exception as e:
        print(repr(e.revert_msg))
    tx = market.setParameter(name32("protocolFeeBps"), 100, {"from": brownie.accounts[0]})
    print(tx.events)
    print(market.jobOf(jid), market.specOf(jid), market.bidsOf(jid))
    print(registry.lockOf(market, jid))
    assert 0
