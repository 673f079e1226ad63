namespace Inference.Core.Diff.Text;

/// <summary>The YAML document a policy was read from, cut out of its file's text by the policy's line.</summary>
internal static class PolicySource
{
    public static string? Document(string fileText, int line)
    {
        var lines = fileText.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (line < 1 || line > lines.Length)
        {
            return null;
        }

        var start = line - 1;
        while (start > 0 && !IsSeparator(lines[start - 1]))
        {
            start--;
        }

        var end = line - 1;
        while (end + 1 < lines.Length && !IsSeparator(lines[end + 1]))
        {
            end++;
        }

        // leading comments are the licence header more often than the policy's explanation
        while (start < end && (lines[start].TrimStart().StartsWith('#') || lines[start].Trim().Length == 0))
        {
            start++;
        }

        return string.Join('\n', lines[start..(end + 1)]).TrimEnd() + "\n";
    }

    private static bool IsSeparator(string line) => line.StartsWith("---", StringComparison.Ordinal) || line.StartsWith("...", StringComparison.Ordinal);
}
