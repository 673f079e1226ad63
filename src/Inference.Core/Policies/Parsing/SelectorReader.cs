using YamlDotNet.RepresentationModel;

namespace Inference.Core.Policies.Parsing;

/// <summary>Reads and validates a metav1.LabelSelector.</summary>
internal static class SelectorReader
{
    public static LabelSelector? Read(ReadContext ctx, YamlNode? node, string what)
    {
        var map = ctx.Nodes.Map(node, what);
        if (map is null)
        {
            return null;
        }

        ctx.WarnUnknownKeys(map, what, "matchLabels", "matchExpressions");
        var labels = ctx.Nodes.StringMap(YamlNodes.Get(map, "matchLabels"), $"{what}.matchLabels");
        var expressions = new List<LabelSelectorRequirement>();
        var seq = ctx.Nodes.Seq(YamlNodes.Get(map, "matchExpressions"), $"{what}.matchExpressions");
        foreach (var (item, i) in (seq?.Children ?? []).Select((n, i) => (n, i)))
        {
            var where = $"{what}.matchExpressions[{i}]";
            var e = ctx.Nodes.Map(item, where) ?? throw new PolicyFormatException(ctx.Nodes.Line(item), $"{where} must not be null");
            var key = ctx.Nodes.Str(YamlNodes.Get(e, "key"), $"{where}.key");
            var opText = ctx.Nodes.Str(YamlNodes.Get(e, "operator"), $"{where}.operator");
            var values = ctx.Nodes.StrList(YamlNodes.Get(e, "values"), $"{where}.values") ?? [];
            if (string.IsNullOrEmpty(key))
            {
                ctx.Error(e, 0, $"{where}.key is required");
                continue;
            }

            SelectorOperator op;
            switch (opText)
            {
                case "In": op = SelectorOperator.In; break;
                case "NotIn": op = SelectorOperator.NotIn; break;
                case "Exists": op = SelectorOperator.Exists; break;
                case "DoesNotExist": op = SelectorOperator.DoesNotExist; break;
                default:
                    ctx.Error(YamlNodes.Get(e, "operator") ?? e, 0, $"{where}.operator '{opText}' is not one of In, NotIn, Exists, DoesNotExist");
                    continue;
            }

            if (op is SelectorOperator.In or SelectorOperator.NotIn && values.Count == 0)
            {
                ctx.Error(e, 0, $"{where}.values must be non-empty for operator {opText}");
            }
            else if (op is SelectorOperator.Exists or SelectorOperator.DoesNotExist && values.Count > 0)
            {
                ctx.Error(e, 0, $"{where}.values must be empty for operator {opText}");
            }

            expressions.Add(new LabelSelectorRequirement(key, op, values));
        }

        return new LabelSelector(labels, expressions);
    }
}
