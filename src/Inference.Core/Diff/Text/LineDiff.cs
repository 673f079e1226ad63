namespace Inference.Core.Diff.Text;

/// <summary>A line diff in unified style (<c>" "</c> kept, <c>"-"</c> only in the old text, <c>"+"</c> only in the new), by longest common subsequence.</summary>
internal static class LineDiff
{
    // policies are short; past this the table would cost more than the diff is worth
    private const int MaxLines = 3000;

    public static IReadOnlyList<string> Unified(string oldText, string newText)
    {
        var a = Lines(oldText);
        var b = Lines(newText);
        if (a.Length > MaxLines || b.Length > MaxLines)
        {
            return [.. a.Select(l => "-" + l), .. b.Select(l => "+" + l)];
        }

        // lcs[i, j]: length of the longest common subsequence of a[i..] and b[j..]
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var result = new List<string>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                result.Add(" " + a[x++]);
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                // removals before additions, as `diff -u` prints them
                result.Add("-" + a[x++]);
            }
            else
            {
                result.Add("+" + b[y++]);
            }
        }

        return result;
    }

    private static string[] Lines(string text) =>
        text.Length == 0 ? [] : text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
}
