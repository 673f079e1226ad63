using Inference.Ingest.Hubble.Decoding;
using Xunit;

namespace Inference.Ingest.Hubble.Tests.Decoding;

/// <summary>Enum names as Hubble prints them (flow.proto's names, not the C# ones), both ways.</summary>
public sealed class EnumNamesTests
{
    [Theory]
    [InlineData(133, "POLICY_DENIED")]
    [InlineData(181, "POLICY_DENY")]
    [InlineData(151, "STALE_OR_UNROUTABLE_IP")]
    [InlineData(0, "DROP_REASON_UNKNOWN")]
    [InlineData(9999, "9999")]
    public void Drop_reason_codes_get_their_proto_names_and_unknown_codes_keep_their_number(int code, string name) =>
        Assert.Equal(name, DropReasons.Name(code));

    [Theory]
    [InlineData(3, "HUBBLE_RING_BUFFER")]
    [InlineData(1, "PERF_EVENT_RING_BUFFER")]
    [InlineData(99, "UNKNOWN_LOST_EVENT_SOURCE")]
    public void Lost_event_sources_get_their_proto_names_and_unknown_ones_the_unknown_name(int code, string name) =>
        Assert.Equal(name, LostSources.Name(code));

    [Theory]
    [InlineData(2, "NODE_UNAVAILABLE")]
    [InlineData(4, "NODE_ERROR")]
    [InlineData(7, "UNKNOWN_NODE_STATE")]
    public void Node_states_get_their_proto_names_and_unknown_ones_the_unknown_name(int code, string name) =>
        Assert.Equal(name, NodeStates.Name(code));

    [Theory]
    [InlineData("TO_ENDPOINT", 101)]
    [InlineData("FROM_ENDPOINT", 5)]
    [InlineData("TO_STACK", 3)]
    [InlineData("UNKNOWN_POINT", 0)]
    [InlineData("to_endpoint", 101)]
    [InlineData("NOT_A_POINT", 0)]
    [InlineData("", 0)]
    public void Observation_point_names_parse_in_any_case_and_unknown_names_are_zero(string name, int number) =>
        Assert.Equal(number, ObservationPoints.Parse(System.Text.Encoding.ASCII.GetBytes(name)));
}
