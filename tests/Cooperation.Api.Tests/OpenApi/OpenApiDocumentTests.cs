using Cooperation.Api.Tests.Fixtures;

namespace Cooperation.Api.Tests.OpenApi;

/// <summary>The OpenAPI document anyone may fetch is made once and kept; no other form of it is made per request (ADR 23).</summary>
[Collection("api")]
public sealed class OpenApiDocumentTests(AppFixture app) : ApiTest(app)
{
    [Fact]
    public async Task The_document_is_served_alike_however_its_path_is_written_and_only_as_JSON()
    {
        var first = await Fetch("/swagger/v1/swagger.json", 200);
        Assert.Equal(first, await Fetch("/swagger/v1/swagger.json", 200));
        Assert.Equal(first, await Fetch("/swagger/v1/swagger.json/", 200));
        Assert.Equal(first, await Fetch("/SWAGGER/v1/swagger.json", 200));
        await Fetch("/swagger/v1/swagger.yaml", 404);
        await Fetch("/swagger/v1/swagger.yml", 404);
    }

    private async Task<string> Fetch(string url, int status)
    {
        var result = await Host.Scenario(s =>
        {
            s.Get.Url(url);
            s.StatusCodeShouldBe(status);
        });
        return await result.ReadAsTextAsync();
    }
}
