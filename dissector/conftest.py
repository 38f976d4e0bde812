"""Fixtures of the dissector tests: the plugin loaded into tshark, the crafted capture and the
capture of real libzmq peers (both shared with the fuzz tests)."""

import pytest

import zmtp_cases
import zmtp_live
import zmtp_tshark


@pytest.fixture(scope="session")
def plugin_env():
    env = zmtp_tshark.PluginEnv(zmtp_tshark.build_plugin())
    yield env
    env.cleanup()


@pytest.fixture(scope="session")
def crafted(plugin_env):
    """(pcap path, tshark Decode As arguments, cases by name with their stream numbers)."""
    return zmtp_cases.write_capture(plugin_env)


@pytest.fixture(scope="session")
def crafted_packets(plugin_env, crafted):
    pcap, args, _ = crafted
    return zmtp_tshark.by_stream(plugin_env.packets(pcap, *args))


@pytest.fixture(scope="session")
def live(plugin_env):
    """(pcap path, scenario name -> server port) of real libzmq traffic captured now."""
    return zmtp_live.capture(plugin_env)


@pytest.fixture(scope="session")
def live_packets(plugin_env, live):
    pcap, ports = live
    packets = plugin_env.packets(pcap)
    return {name: [p for p in packets if port in (p.srcport, int(p.first("tcp.dstport", -1)))]
            for name, port in ports.items()}
