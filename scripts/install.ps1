# Installs lumen.exe and a scheduled task that runs `lumen serve` at logon (Windows).
# `-Uninstall` removes both and offers to untrust Lumen's CA.
#
#   powershell -ExecutionPolicy Bypass -File scripts\install.ps1 [-Binary PATH] [-DryRun]
#   powershell -ExecutionPolicy Bypass -File scripts\install.ps1 -Uninstall [-UntrustCa] [-DryRun]
#
# -Binary PATH  the binary to install (default: dist\lumen-x86_64-pc-windows-msvc.exe)
# -UntrustCa    with -Uninstall: run `lumen ca untrust` without asking
# -DryRun       print every action instead of doing it
[CmdletBinding()]
param(
  [string]$Binary = "",
  [switch]$Uninstall,
  [switch]$UntrustCa,
  [switch]$DryRun
)
Set-StrictMode -Version Latest
$ErrorActionPreference = "Stop"

$TaskName = "Lumen"
$BinDir = Join-Path $env:LOCALAPPDATA "Programs\Lumen"
$Installed = Join-Path $BinDir "lumen.exe"

# Runs $Action, or prints $Description instead with -DryRun.
function Invoke-Step([string]$Description, [scriptblock]$Action) {
  if ($DryRun) { Write-Output "+ $Description" } else { & $Action }
}

function Install-Lumen {
  if (-not $Binary) {
    $Binary = Join-Path $PSScriptRoot "..\dist\lumen-x86_64-pc-windows-msvc.exe"
  }
  if (-not (Test-Path -LiteralPath $Binary -PathType Leaf)) {
    throw "Cannot find the lumen binary ${Binary}: build it with deno task compile or pass -Binary PATH"
  }
  Invoke-Step "New-Item -ItemType Directory -Force '$BinDir'" {
    New-Item -ItemType Directory -Force -Path $BinDir | Out-Null
  }
  Invoke-Step "Copy-Item '$Binary' '$Installed'" {
    Copy-Item -LiteralPath $Binary -Destination $Installed -Force
  }
  Write-Output "Installed $Installed"
  Invoke-Step "Register-ScheduledTask '$TaskName' (at logon: '$Installed' serve, restart on failure)" {
    $action = New-ScheduledTaskAction -Execute $Installed -Argument "serve"
    $trigger = New-ScheduledTaskTrigger -AtLogOn -User $env:USERNAME
    $settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries `
      -ExecutionTimeLimit ([TimeSpan]::Zero) -RestartCount 3 -RestartInterval (New-TimeSpan -Minutes 1)
    Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Settings $settings `
      -Description "Lumen: LLM API usage and cost monitor" -Force | Out-Null
  }
  Invoke-Step "Start-ScheduledTask '$TaskName'" { Start-ScheduledTask -TaskName $TaskName }
  $userPath = [Environment]::GetEnvironmentVariable("Path", "User")
  if (($userPath -split ";") -notcontains $BinDir) {
    Write-Output "Note: $BinDir is not on your PATH; add it to use the lumen command."
  }
  Write-Output "Lumen runs at logon as the scheduled task '$TaskName'."
}

function Uninstall-Lumen {
  Invoke-Step "Stop-ScheduledTask '$TaskName'; Unregister-ScheduledTask '$TaskName'" {
    if (Get-ScheduledTask -TaskName $TaskName -ErrorAction SilentlyContinue) {
      Stop-ScheduledTask -TaskName $TaskName
      Unregister-ScheduledTask -TaskName $TaskName -Confirm:$false
    }
  }
  if ((Test-Path -LiteralPath $Installed) -or $DryRun) {
    $answer = "n"
    if ($UntrustCa) {
      $answer = "y"
    } elseif ([Environment]::UserInteractive -and -not [Console]::IsInputRedirected) {
      $answer = Read-Host "Remove Lumen's CA from the trust store (lumen ca untrust)? [y/N]"
    } else {
      Write-Output "Not interactive: skipping 'lumen ca untrust' (pass -UntrustCa to run it)."
    }
    if ($answer -match "^(y|yes)$") {
      Invoke-Step "'$Installed' ca untrust" { & $Installed ca untrust }
    }
  }
  Invoke-Step "Remove-Item '$Installed'" {
    Remove-Item -LiteralPath $Installed -Force -ErrorAction SilentlyContinue
  }
  Write-Output "Uninstalled Lumen (its data in ~\.lumen or LUMEN_HOME is kept)."
}

if ($Uninstall) { Uninstall-Lumen } else { Install-Lumen }
