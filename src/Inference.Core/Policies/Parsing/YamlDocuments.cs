using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Inference.Core.Policies.Parsing;

/// <summary>One YAML document of a file, with the line offset of its first line.</summary>
internal sealed record YamlChunk(YamlNode? Root, YamlNodes Nodes, int FirstLine, string? SyntaxError, int ErrorLine);

/// <summary>
/// Splits a file at <c>---</c> lines and parses each document on its own, so that a syntax error in one document
/// does not hide the others. JSON is parsed as YAML (tabs, legal JSON whitespace, are blanked first).
/// </summary>
internal static class YamlDocuments
{
    public static IEnumerable<YamlChunk> Split(string text, CancellationToken cancellationToken)
    {
        var trimmed = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            // JSON strings cannot hold a raw tab, so every tab is whitespace YAML would reject
            text = text.Replace('\t', ' ');
        }

        var lines = text.Split('\n');
        var start = 0;
        var current = new StringBuilder();
        for (var i = 0; i <= lines.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var atEnd = i == lines.Length;
            var line = atEnd ? "" : lines[i].TrimEnd('\r');
            var separator = !atEnd && (line == "---" || line.StartsWith("--- ", StringComparison.Ordinal) || line == "...");
            if (atEnd || separator)
            {
                if (current.ToString().Trim().Length > 0)
                {
                    yield return Parse(current.ToString(), start);
                }

                current.Clear();
                // the document after '---' starts on the next line; a '--- {...}' keeps its inline content
                start = i + 1;
                if (separator && line.StartsWith("--- ", StringComparison.Ordinal))
                {
                    current.Append(new string(' ', 4)).Append(line[4..]).Append('\n');
                    start = i;
                }

                continue;
            }

            current.Append(line).Append('\n');
        }
    }

    private static YamlChunk Parse(string text, int offset)
    {
        text = text.TrimEnd() + "\n";
        var lastLine = offset + text.Count(c => c == '\n');
        var nodes = new YamlNodes(offset);
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return new YamlChunk(stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode, nodes, offset + 1, null, 0);
        }
        catch (YamlException ex)
        {
            var message = (ex.InnerException?.Message ?? ex.Message).Trim();
            var idx = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith('(') && idx > 0)
            {
                message = message[(idx + 3)..];
            }

            return new YamlChunk(null, nodes, offset + 1, $"YAML syntax error: {message}", Math.Min((int)ex.Start.Line + offset, lastLine));
        }
    }
}
