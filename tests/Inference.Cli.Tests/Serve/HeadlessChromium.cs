using Microsoft.Playwright;

namespace Inference.Cli.Tests.Serve;

/// <summary>
/// Debian's chromium driven by Playwright's bundled driver (its own browser download cannot work offline), with a
/// fresh profile per test. A missing browser fails the test with the command that installs it: CI installs it.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private static readonly string[] Args =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly IBrowserContext _context;
    private readonly string _profile;

    private HeadlessChromium(IPlaywright playwright, IBrowserContext context, string profile)
    {
        _playwright = playwright;
        _context = context;
        _profile = profile;
    }

    public static async Task<(HeadlessChromium Browser, IPage Page)> OpenAsync()
    {
        Assert.True(File.Exists(Executable),
            $"{Executable} is missing: the review page test needs Debian's chromium (apt-get install -y --no-install-recommends chromium; .ci/run installs it)");
        var playwright = await Playwright.CreateAsync();
        var profile = Directory.CreateTempSubdirectory("inference-chromium-").FullName;
        try
        {
            // a persistent context is how Playwright takes an explicit --user-data-dir; a fresh directory keeps it clean
            var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = Executable,
                Headless = true,
                Args = Args,
                Timeout = 120_000,
            });
            context.SetDefaultTimeout(60_000);
            var browser = new HeadlessChromium(playwright, context, profile);
            var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
            return (browser, page);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        _playwright.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // chromium may still be writing its profile: left to the OS
        }
    }
}
