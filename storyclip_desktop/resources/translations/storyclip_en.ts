<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>AccountView</name>
    <message>
        <source>Signed in as</source>
        <translation>Signed in as</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <source>Active batches…</source>
        <translation>Active batches…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation>Refreshing…</translation>
    </message>
    <message>
        <source>%1 of %2 clips done so far.</source>
        <translation>%1 of %2 clips done so far.</translation>
    </message>
    <message>
        <source>Nothing is publishing right now</source>
        <translation>Nothing is publishing right now</translation>
    </message>
    <message>
        <source>When you publish from StoryClip, your batches show up here and the tray tells you when they finish.</source>
        <translation>When you publish from StoryClip, your batches show up here and the tray tells you when they finish.</translation>
    </message>
    <message>
        <source>Batch %1</source>
        <translation>Batch %1</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
</context>
<context>
    <name>ActiveBatchesDialog</name>
    <message>
        <source>Active batches — StoryClip</source>
        <translation>Active batches — StoryClip</translation>
    </message>
    <message>
        <source>Active batches</source>
        <translation>Active batches</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Read every batch again from the server (F5)</source>
        <translation>Read every batch again from the server (F5)</translation>
    </message>
    <message>
        <source>No batch is publishing right now.
Batches you publish from StoryClip appear here while they run.</source>
        <translation>No batch is publishing right now.
Batches you publish from StoryClip appear here while they run.</translation>
    </message>
    <message>
        <source>Refreshing…</source>
        <translation>Refreshing…</translation>
    </message>
    <message>
        <source>Cannot reach the StoryClip server. Showing the last known state; retrying in the background.</source>
        <translation>Cannot reach the StoryClip server. Showing the last known state; retrying in the background.</translation>
    </message>
</context>
<context>
    <name>Banner</name>
    <message>
        <source>Show</source>
        <translation>Show</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Dismiss</translation>
    </message>
</context>
<context>
    <name>BatchCard</name>
    <message>
        <source>Batch %1</source>
        <translation>Batch %1</translation>
    </message>
    <message>
        <source>Published %1 · Failed %2 · Pending %3</source>
        <translation>Published %1 · Failed %2 · Pending %3</translation>
    </message>
    <message>
        <source>Server error: %1</source>
        <translation>Server error: %1</translation>
    </message>
    <message>
        <source>No clips</source>
        <translation>No clips</translation>
    </message>
    <message>
        <source>%1 / %2 clips</source>
        <translation>%1 / %2 clips</translation>
    </message>
    <message>
        <source>Started %1</source>
        <translation>Started %1</translation>
    </message>
    <message>
        <source>Created %1</source>
        <translation>Created %1</translation>
    </message>
    <message>
        <source>Scheduled for %1</source>
        <translation>Scheduled for %1</translation>
    </message>
    <message>
        <source>Ended %1</source>
        <translation>Ended %1</translation>
    </message>
</context>
<context>
    <name>ClipTableModel</name>
    <message>
        <source>Clip %1</source>
        <translation>Clip %1</translation>
    </message>
    <message>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Title</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Attempts</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Published</translation>
    </message>
</context>
<context>
    <name>ClipTableView</name>
    <message>
        <source>Copy error</source>
        <translation>Copy error</translation>
    </message>
    <message>
        <source>Copy row</source>
        <translation>Copy row</translation>
    </message>
</context>
<context>
    <name>DesktopUi</name>
    <message>
        <source>StoryClip Desktop</source>
        <translation>StoryClip Desktop</translation>
    </message>
    <message>
        <source>Could not refresh. Check your connection and try again.</source>
        <translation>Could not refresh. Check your connection and try again.</translation>
    </message>
    <message>
        <source>StoryClip Desktop is still running</source>
        <translation>StoryClip Desktop is still running</translation>
    </message>
    <message>
        <source>It keeps following your batches from here. Choose Quit in this menu to close it.</source>
        <translation>It keeps following your batches from here. Choose Quit in this menu to close it.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>StoryClip Desktop</source>
        <translation>StoryClip Desktop</translation>
    </message>
    <message>
        <source>&amp;StoryClip</source>
        <translation>&amp;StoryClip</translation>
    </message>
    <message>
        <source>&amp;Active batches…</source>
        <translation>&amp;Active batches…</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>&amp;Refresh</translation>
    </message>
    <message>
        <source>Sign &amp;out</source>
        <translation>Sign &amp;out</translation>
    </message>
    <message>
        <source>&amp;Close window</source>
        <translation>&amp;Close window</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;About StoryClip Desktop</source>
        <translation>&amp;About StoryClip Desktop</translation>
    </message>
    <message>
        <source>About StoryClip Desktop</source>
        <translation>About StoryClip Desktop</translation>
    </message>
    <message>
        <source>StoryClip Desktop %1</source>
        <translation>StoryClip Desktop %1</translation>
    </message>
    <message>
        <source>Follows your StoryClip publishing from the system tray.</source>
        <translation>Follows your StoryClip publishing from the system tray.</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>Not signed in</translation>
    </message>
    <message>
        <source>Cannot reach the StoryClip server — retrying…</source>
        <translation>Cannot reach the StoryClip server — retrying…</translation>
    </message>
    <message>
        <source>Connected — a batch seems stalled on the server</source>
        <translation>Connected — a batch seems stalled on the server</translation>
    </message>
    <message>
        <source>Connected — reconnecting to live updates…</source>
        <translation>Connected — reconnecting to live updates…</translation>
    </message>
    <message>
        <source>Connected — following by polling (server restarted)</source>
        <translation>Connected — following by polling (server restarted)</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message>
        <source>Open</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Publishing in progress</source>
        <translation>Publishing in progress</translation>
    </message>
    <message>
        <source>%1 of %2 clips were published</source>
        <translation>%1 of %2 clips were published</translation>
    </message>
    <message>
        <source>Publishing failed</source>
        <translation>Publishing failed</translation>
    </message>
    <message>
        <source>Publishing cancelled</source>
        <translation>Publishing cancelled</translation>
    </message>
    <message>
        <source>%1 of %2 clips were published, %3 failed</source>
        <translation>%1 of %2 clips were published, %3 failed</translation>
    </message>
    <message>
        <source>Publishing completed</source>
        <translation>Publishing completed</translation>
    </message>
    <message>
        <source>Could not connect to the server</source>
        <translation>Could not connect to the server</translation>
    </message>
    <message>
        <source>StoryClip Desktop keeps trying and catches up as soon as the server answers.</source>
        <translation>StoryClip Desktop keeps trying and catches up as soon as the server answers.</translation>
    </message>
</context>
<context>
    <name>SignInView</name>
    <message>
        <source>Sign in to StoryClip</source>
        <translation>Sign in to StoryClip</translation>
    </message>
    <message>
        <source>Follow your publishing from the tray, even with every window closed.</source>
        <translation>Follow your publishing from the tray, even with every window closed.</translation>
    </message>
    <message>
        <source>you@example.com</source>
        <translation>you@example.com</translation>
    </message>
    <message>
        <source>&amp;Email</source>
        <translation>&amp;Email</translation>
    </message>
    <message>
        <source>&amp;Password</source>
        <translation>&amp;Password</translation>
    </message>
    <message>
        <source>&amp;Remember me on this computer</source>
        <translation>&amp;Remember me on this computer</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Sign in</translation>
    </message>
    <message>
        <source>Enter your email and your password.</source>
        <translation>Enter your email and your password.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Signing in…</translation>
    </message>
</context>
<context>
    <name>Texts</name>
    <message numerus="yes">
        <source>%n batch(es) publishing</source>
        <translation>
            <numerusform>%n batch publishing</numerusform>
            <numerusform>%n batches publishing</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>You have %n publication(s) in progress</source>
        <translation>
            <numerusform>You have %n publication in progress</numerusform>
            <numerusform>You have %n publications in progress</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Clips (%n)</source>
        <translation>
            <numerusform>Clips (%n)</numerusform>
            <numerusform>Clips (%n)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n batch(es) finished</source>
        <translation>
            <numerusform>%n batch finished</numerusform>
            <numerusform>%n batches finished</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>and %n more…</source>
        <translation>
            <numerusform>and %n more…</numerusform>
            <numerusform>and %n more…</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Connected — following %n batch(es) live</source>
        <translation>
            <numerusform>Connected — following %n batch live</numerusform>
            <numerusform>Connected — following %n batches live</numerusform>
        </translation>
    </message>
    <message>
        <source>Processing</source>
        <translation>Processing</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Completed</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Failed</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Paused</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <source>Unknown (%1)</source>
        <translation>Unknown (%1)</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Pending</translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation>Uploading</translation>
    </message>
    <message>
        <source>Waiting for confirmation</source>
        <translation>Waiting for confirmation</translation>
    </message>
    <message>
        <source>Scheduling</source>
        <translation>Scheduling</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>Scheduled</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Published</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>Live</translation>
    </message>
    <message>
        <source>Reconnecting in %1 s</source>
        <translation>Reconnecting in %1 s</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>Reconnecting…</translation>
    </message>
    <message>
        <source>Server restarted, following by polling</source>
        <translation>Server restarted, following by polling</translation>
    </message>
    <message>
        <source>Stalled: the server stopped working on this batch</source>
        <translation>Stalled: the server stopped working on this batch</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Finished</translation>
    </message>
    <message>
        <source>Not following</source>
        <translation>Not following</translation>
    </message>
    <message>
        <source>The email or password is not correct. Check them and try again, or reset your password on the StoryClip website.</source>
        <translation>The email or password is not correct. Check them and try again, or reset your password on the StoryClip website.</translation>
    </message>
    <message>
        <source>Your email address is not confirmed yet. Open the link in the confirmation email from StoryClip, then sign in again.</source>
        <translation>Your email address is not confirmed yet. Open the link in the confirmation email from StoryClip, then sign in again.</translation>
    </message>
    <message>
        <source>Your session has expired. Sign in again to keep following your batches.</source>
        <translation>Your session has expired. Sign in again to keep following your batches.</translation>
    </message>
    <message>
        <source>Too many sign-in attempts. Wait a minute, then try again.</source>
        <translation>Too many sign-in attempts. Wait a minute, then try again.</translation>
    </message>
    <message>
        <source>Could not reach the StoryClip server. Check your internet connection and try again.</source>
        <translation>Could not reach the StoryClip server. Check your internet connection and try again.</translation>
    </message>
    <message>
        <source>The StoryClip server had a problem. Try again in a few minutes.</source>
        <translation>The StoryClip server had a problem. Try again in a few minutes.</translation>
    </message>
    <message>
        <source>Something went wrong while signing in. Try again; if it keeps happening, contact StoryClip support.</source>
        <translation>Something went wrong while signing in. Try again; if it keeps happening, contact StoryClip support.</translation>
    </message>
    <message>
        <source>You were signed out by the server (perhaps from another device). Sign in again.</source>
        <translation>You were signed out by the server (perhaps from another device). Sign in again.</translation>
    </message>
    <message>
        <source>You were signed out because of an error. Sign in again.</source>
        <translation>You were signed out because of an error. Sign in again.</translation>
    </message>
    <message>
        <source>This computer has no password keyring, so your session is kept only until you quit StoryClip Desktop; you will have to sign in again next time.</source>
        <translation>This computer has no password keyring, so your session is kept only until you quit StoryClip Desktop; you will have to sign in again next time.</translation>
    </message>
    <message>
        <source>Your password keyring is locked, so your session is kept only until you quit StoryClip Desktop. Unlock the keyring to stay signed in.</source>
        <translation>Your password keyring is locked, so your session is kept only until you quit StoryClip Desktop. Unlock the keyring to stay signed in.</translation>
    </message>
    <message>
        <source>Your session could not be saved in the password keyring, so it is kept only until you quit StoryClip Desktop.</source>
        <translation>Your session could not be saved in the password keyring, so it is kept only until you quit StoryClip Desktop.</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <source>Open StoryClip</source>
        <translation>Open StoryClip</translation>
    </message>
    <message>
        <source>Active batches…</source>
        <translation>Active batches…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>Not signed in</source>
        <translation>Not signed in</translation>
    </message>
    <message>
        <source>Cannot reach the server</source>
        <translation>Cannot reach the server</translation>
    </message>
    <message>
        <source>%1 — %2 / %3 clips</source>
        <translation>%1 — %2 / %3 clips</translation>
    </message>
    <message>
        <source>A batch failed</source>
        <translation>A batch failed</translation>
    </message>
    <message>
        <source>Nothing publishing</source>
        <translation>Nothing publishing</translation>
    </message>
    <message>
        <source>StoryClip Desktop — %1</source>
        <translation>StoryClip Desktop — %1</translation>
    </message>
</context>
</TS>
