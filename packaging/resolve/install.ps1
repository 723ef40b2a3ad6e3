# Install Pickup into %LOCALAPPDATA%\Pickup\venv and put the launcher into Resolve's Scripts folder.
# Usage: .\install.ps1 [-System]
param([switch]$System)
$ErrorActionPreference = "Stop"
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
$venv = Join-Path $env:LOCALAPPDATA "Pickup\venv"
py -3 -m venv $venv
$python = Join-Path $venv "Scripts\python.exe"
$wheel = Get-ChildItem (Join-Path $here "wheels") -Filter "pickup_shots-*.whl" -ErrorAction SilentlyContinue | Select-Object -Last 1
& $python -m pip install --quiet --upgrade pip
if ($wheel) { & $python -m pip install --quiet $wheel.FullName } else { & $python -m pip install --quiet pickup-shots }
$scope = if ($System) { "--system" } else { "--user" }
& $python -m pickup.hosts.resolve install $scope
Write-Host "Restart DaVinci Resolve, then choose Workspace > Scripts > Pickup."
