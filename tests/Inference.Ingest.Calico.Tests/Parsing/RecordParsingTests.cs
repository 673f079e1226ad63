using System.Text;
using Inference.Core.Flows;
using Inference.Ingest.Calico.Policies;
using Inference.Ingest.Calico.Records;

namespace Inference.Ingest.Calico.Tests.Parsing;

public sealed class RecordParsingTests
{
    /// <summary>shared/data/calico/docs-flow-log-example.json: the Calico docs' "no aggregation" record.</summary>
    private static string DocsExample => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "docs-flow-log-example.json"));

    private static (List<CalicoFlow> Flows, List<(int Line, string Reason)> Errors) Read(string text)
    {
        var flows = new List<CalicoFlow>();
        var errors = new List<(int, string)>();
        RecordReader.Read(Encoding.UTF8.GetBytes(text), flows, errors);
        return (flows, errors);
    }

    [Fact]
    public void The_docs_record_reads_with_its_staged_deny()
    {
        var (flows, errors) = Read(DocsExample);
        Assert.Empty(errors);
        var f = Assert.Single(flows);
        Assert.Equal((Reporter.Dst, L4Protocol.Tcp, 80, 1L), (f.Reporter, f.Protocol, f.DestinationPort, f.ConnectionsStarted));
        Assert.Equal(1597166083L * 1_000_000_000, f.StartNs);
        Assert.Equal(("policy-demo", "access-6b687c8dcb-*", "access-6b687c8dcb-zn5s2", "192.168.47.9"), (f.Source.Namespace, f.Source.NameAggr, f.Source.Name, f.Source.Ip));
        Assert.Equal(["pod-template-hash=86c57db685", "app=nginx"], f.Destination.Labels);
        Assert.Equal(PolicyAction.Allow, f.Enforced.Action);
        Assert.Equal(PolicyAction.Deny, f.Pending.Action);
        Assert.Equal("1|tier2|snp:ns2/tier1.policy1|deny|1", f.Pending.Decider!.ToString());
        Assert.Equal(Verdict.Audit, VerdictMapping.Map(f.Action, f.Pending));
    }

    [Fact]
    public void Several_newline_separated_records_in_one_message_all_count_and_a_bad_line_is_named()
    {
        var one = DocsExample.ReplaceLineEndings("");
        var (flows, errors) = Read(one + "\n" + "{not json" + "\n\n" + one + "\n");
        Assert.Equal(2, flows.Count);
        var (line, reason) = Assert.Single(errors);
        Assert.Equal(2, line);
        Assert.Contains("not valid JSON", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"start_time":"x"}""", "start_time: expected an integer, found a string")]
    [InlineData("""{"start_time":1,"end_time":2}""", "action: required field missing")]
    [InlineData("""[1]""", "not a JSON object")]
    [InlineData("", "empty message")]
    public void Malformed_records_say_what_is_wrong(string text, string expected)
    {
        var (flows, errors) = Read(text);
        Assert.Empty(flows);
        Assert.Contains(expected, Assert.Single(errors).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Goldmane_protojson_with_camel_case_and_enum_names()
    {
        const string json = """
            {"Key":{"sourceName":"frontend-7d4f8b9c6-*","sourceNamespace":"shop","sourceType":"WorkloadEndpoint",
             "destName":"redis-*","destNamespace":"shop","destType":"WorkloadEndpoint","destPort":"6379","destServiceName":"-",
             "proto":"tcp","reporter":"Dst","action":"Allow",
             "policies":{"enforcedPolicies":[{"kind":"NetworkPolicy","namespace":"shop","name":"allow-redis","tier":"default","action":"Allow","policyIndex":"0","ruleIndex":"0"}],
                         "pendingPolicies":[{"kind":"EndOfTier","tier":"default","action":"Deny","policyIndex":"0","ruleIndex":"-1",
                                             "trigger":{"kind":"StagedKubernetesNetworkPolicy","namespace":"shop","name":"lockdown","tier":"default"}}]}},
             "startTime":"1764970845","endTime":"1764970860","sourceLabels":["app=frontend","pod-template-hash=7d4f8b9c6"],"destLabels":["app=redis"],
             "numConnectionsStarted":"4","numConnectionsLive":"2"}
            """;
        var (flows, errors) = Read(json.ReplaceLineEndings(""));
        Assert.Empty(errors);
        var f = Assert.Single(flows);
        Assert.Equal((Reporter.Dst, 6379, 4L), (f.Reporter, f.DestinationPort, f.ConnectionsStarted));
        Assert.Equal(PolicyKind.KubernetesNetworkPolicy, f.Enforced.Decider!.Kind);
        Assert.Equal(PolicyKind.EndOfTier, f.Pending.Decider!.Kind);
        Assert.Equal(PolicyKind.StagedKubernetesNetworkPolicy, f.Pending.Decider.Trigger!.Kind);
        Assert.Equal(Verdict.Audit, VerdictMapping.Map(f.Action, f.Pending));
    }

    [Fact]
    public void Goldmane_emitter_snake_case_with_integer_enums_and_omitted_zeros()
    {
        const string json = """
            {"Key":{"source_name":"checkout-5b7c8d9f6-*","source_namespace":"shop","source_type":1,"dest_name":"pub","dest_type":4,
             "dest_port":443,"proto":"tcp","reporter":1,"action":2,
             "policies":{"enforced_policies":[{"kind":6,"namespace":"shop","name":"egress","tier":"default","action":2,"rule_index":3}]}},
             "start_time":1764970845,"end_time":1764971145,"source_labels":["app=checkout"],"num_connections_started":2}
            """;
        var (flows, errors) = Read(json.ReplaceLineEndings(""));
        Assert.Empty(errors);
        var f = Assert.Single(flows);
        Assert.Equal((Reporter.Src, EndpointType.Network, "pub", PolicyAction.Deny), (f.Reporter, f.Destination.Type, f.Destination.NameAggr, f.Action));
        Assert.Equal("0|default|knp:shop/egress|deny|3", f.Enforced.Decider!.ToString());
        Assert.Equal(Verdict.Dropped, VerdictMapping.Map(f.Action, f.Pending));
    }

    [Fact]
    public void A_goldmane_flow_without_reporter_is_malformed()
    {
        var (_, errors) = Read("""{"Key":{"source_name":"a-*","source_namespace":"x","source_type":1,"dest_name":"b-*","dest_namespace":"x","dest_type":1,"proto":"tcp","action":1},"start_time":1,"end_time":2}""");
        Assert.Contains("Key.reporter", Assert.Single(errors).Reason, StringComparison.Ordinal);
    }
}
