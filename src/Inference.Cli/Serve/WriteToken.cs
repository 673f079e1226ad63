using System.Security.Cryptography;
using System.Text;

namespace Inference.Cli.Serve;

/// <summary>
/// The bearer token write actions need: generated on first start, stored beside the DB as <c>DB.token</c> (mode 0600),
/// printed once. Compared in constant time; never logged.
/// </summary>
internal sealed class WriteToken
{
    private readonly byte[] _value;

    private WriteToken(string value) => _value = Encoding.UTF8.GetBytes(value);

    public static string PathFor(string db) => Path.GetFullPath(db) + ".token";

    /// <summary>Loads the token, or creates it; <paramref name="created"/> is the token text only when it was just created.</summary>
    public static WriteToken LoadOrCreate(string db, out string? created)
    {
        var path = PathFor(db);
        created = null;
        if (File.Exists(path))
        {
            var text = File.ReadAllText(path).Trim();
            if (text.Length < 32)
            {
                throw new CliException($"{path}: the write token is too short; delete the file to generate a new one");
            }

            return new WriteToken(text);
        }

        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(token + "\n");
        }

        created = token;
        return new WriteToken(token);
    }

    /// <summary>True for <c>Authorization: Bearer &lt;token&gt;</c>.</summary>
    public bool Accepts(string? authorization)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var given = Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(given, _value);
    }
}
