using Stagecast.Server;

var app = StagecastApp.Build(args);
await app.RunAsync();
